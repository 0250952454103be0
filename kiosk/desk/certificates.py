"""Electronic certificates (电子证照, issue #17): with a verified identity the citizen sees what the platform
holds for them, uses one as a material with one tap ("使用电子证照": nothing to bring, nothing to photograph),
or prints a certified copy carrying the platform's verification QR."""

from __future__ import annotations

import logging

from kiosk.desk.context import DeskContext
from kiosk.desk.outcomes import Message, PrintJob
from kiosk.desk.outcomes_service import CertificatesRefused, CertificateUsed, CopyPrinted, ShowCertificates
from kiosk.desk.refusals import is_outage
from kiosk.platform_service import Certificate
from kiosk.session import Level

log = logging.getLogger(__name__)


class CertificateDesk:
    def __init__(self, context: DeskContext) -> None:
        self.context = context

    def _verified(self):  # noqa: ANN202 - Citizen | None
        citizen = self.context.session.citizen
        return citizen if citizen is not None and citizen.level >= Level.VERIFIED else None

    def _held(self) -> tuple[Certificate, ...]:
        return self.context.session.service.get("held", ())

    def usable(self, certificates: tuple[Certificate, ...] | None = None) -> dict[str, str]:
        """Material name → certificate id for the current item's materials a held certificate stands in for."""
        item = self.context.item()
        held = self._held() if certificates is None else certificates
        if item is None:
            return {}
        found: dict[str, str] = {}
        for material in item.guide.materials:
            match = next((c for c in held if material.name in c.materials), None)
            if match is not None:
                found[material.name] = match.certificate_id
        return found

    def load(self) -> ShowCertificates | CertificatesRefused:
        """Worker thread: the certificates the platform holds for the verified citizen."""
        citizen, client = self._verified(), self.context.services.client
        if citizen is None:
            return CertificatesRefused(Message("identify.typed_not_enough"))
        if client is None:
            return CertificatesRefused(Message("finish.cert.offline"))
        try:
            held = client.my_certificates(citizen.id_number, proof=citizen.proof_token)
        except Exception as error:  # noqa: BLE001 - worded for the citizen
            log.info("certificates not available (%s)", type(error).__name__)
            return CertificatesRefused(Message("finish.cert.offline" if is_outage(error) else "finish.cert.failed"))
        self.context.session.service["held"] = held
        return ShowCertificates(held, self.usable(held))

    def use(self, material: str) -> CertificateUsed | CertificatesRefused:
        """"使用电子证照" on a material: it counts as present and the application names the certificate."""
        certificate_id = self.usable().get(material)
        if certificate_id is None:
            return CertificatesRefused(Message("finish.cert.none_for", {"material": material}))
        certificate = next(c for c in self._held() if c.certificate_id == certificate_id)
        service = self.context.session.service
        uses = [u for u in service.get("certificates", []) if u["material"] != material]
        service["certificates"] = [*uses, {"material": material, "certificate_id": certificate_id}]
        self.context.session.materials_present.add(material)
        return CertificateUsed(material, certificate.title)

    def used(self) -> dict[str, str]:
        """Material → certificate id already used in this application."""
        return {u["material"]: u["certificate_id"] for u in self.context.session.service.get("certificates", [])}

    def print_copy(self, certificate_id: str) -> CopyPrinted | CertificatesRefused:
        """Worker thread: a certified copy (核验件) with the platform's verification code and QR."""
        citizen, client = self._verified(), self.context.services.client
        if citizen is None:
            return CertificatesRefused(Message("identify.typed_not_enough"))
        if client is None:
            return CertificatesRefused(Message("finish.cert.offline"))
        try:
            copy = client.certified_copy(citizen.id_number, certificate_id, proof=citizen.proof_token)
        except Exception as error:  # noqa: BLE001
            return CertificatesRefused(Message("finish.cert.offline" if is_outage(error) else "finish.cert.failed"))
        from kiosk.printing.service_documents import certified_copy

        kiosk = self.context.config.kiosk
        document = certified_copy(centre_name=kiosk.centre_name, title=copy.title, rows=copy.rows,
                                  holder_name=citizen.name, verification_code=copy.verification_code,
                                  verify_url=copy.verify_url, issued_at=copy.issued_at, kiosk_id=kiosk.device_id)
        return CopyPrinted(PrintJob(document, Message("finish.cert.copy_printed"),
                                    failed=Message("finish.cert.copy_failed")))
