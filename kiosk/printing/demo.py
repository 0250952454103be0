"""Demo inputs (invented people, valid-looking data) for ``kiosk print-test``, the benchmark and tests."""

from __future__ import annotations

from datetime import date, datetime

from kiosk.printing.document import Align
from kiosk.printing.documents import (
    AcceptanceReceipt,
    CommitmentSlip,
    MissingMaterial,
    MissingMaterialsNotice,
    QueryResult,
    QueueTicket,
)

CENTRE = "郑州市金水区政务服务中心"
KIOSK = "ZZJS-24H-003"
WHEN = datetime(2024, 6, 3, 14, 25)
ID_NUMBER = "410105199001011234"  # test number; only ever printed masked
PHONE = "13812345678"

RECEIPT = AcceptanceReceipt(
    centre_name=CENTRE,
    item_name="城乡居民基本养老保险参保登记",
    receipt_number="SL20240603000123",
    applicant_name="欧阳明远",
    applicant_id_number=ID_NUMBER,
    phone=PHONE,
    submitted_at=WHEN,
    time_limit="3个工作日（法定时限20个工作日）",
    result_delivery="短信通知，结果可在本机打印",
    status_line="已提交至省政务服务平台",
    qr_payload="https://zwfw.example.gov.cn/progress?no=SL20240603000123",
    kiosk_id=KIOSK,
)

NOTICE = MissingMaterialsNotice(
    centre_name=CENTRE,
    item_name="住房公积金提取（购买自住住房）",
    applicant_name="欧阳明远",
    applicant_id_number=ID_NUMBER,
    missing=[
        MissingMaterial("购房合同", "已备案的商品房买卖合同原件及复印件各1份"),
        MissingMaterial("购房发票", "税务机关开具的购房发票原件"),
        MissingMaterial("婚姻状况证明", "已婚的提供结婚证；未婚的提供书面声明"),
        MissingMaterial("本人银行卡", "本人名下的一类银行账户借记卡"),
    ],
    issued_at=WHEN,
    kiosk_id=KIOSK,
    guide_qr_payload="https://zwfw.example.gov.cn/guide/gjj-tq-gf",
)

COMMITMENT = CommitmentSlip(
    centre_name=CENTRE,
    item_name="个体工商户设立登记",
    receipt_number="SL20240603000124",
    applicant_name="欧阳明远",
    applicant_id_number=ID_NUMBER,
    to_supply=[MissingMaterial("经营场所使用证明", "租赁合同或产权证明复印件1份")],
    deadline=date(2024, 6, 17),
    issued_at=WHEN,
    qr_payload="https://zwfw.example.gov.cn/progress?no=SL20240603000124",
    kiosk_id=KIOSK,
)

QUERY = QueryResult(
    centre_name=CENTRE,
    title="住房公积金个人账户信息",
    applicant_name="欧阳明远",
    applicant_id_number=ID_NUMBER,
    queried_at=WHEN,
    kiosk_id=KIOSK,
    fields=[("单位名称", "郑州某某科技有限公司"), ("账户状态", "正常"), ("账户余额", "42,315.67 元"),
            ("月缴存额", "1,860.00 元")],
    table_headers=["年月", "摘要", "金额(元)"],
    table_rows=[["2024-05", "汇缴", "1,860.00"], ["2024-04", "汇缴", "1,860.00"],
                ["2024-03", "提取（租房）", "-1,500.00"]],
    table_align=[Align.LEFT, Align.LEFT, Align.RIGHT],
)

TICKET = QueueTicket(centre_name=CENTRE, ticket_number="A023", service_name="社保医保综合窗口",
                     waiting_count=5, issued_at=WHEN, kiosk_id=KIOSK)
