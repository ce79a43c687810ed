"""The issue's console script, end to end: hours, the lawyer, the nearest station, an order and its rating."""

from tests.conftest import START


async def test_service_station_demo(chat):
    assert START.date().isoformat() < "2026-11-25"
    transcript = await chat.run_script("service_station.txt")
    for expected in (
        "今天周三（11月25日）开放时间",                 # 驿站几点开门: today's hours
        "幸福里红帆驿站：08:30–20:00（现在开着）",
        "今天周三，下午2点到5点，律师值班",              # the lawyer: today's duty slot
        "离您最近的开放中的驿站：幸福里红帆驿站",         # a shared location
        "步行约 3 分钟",
        "已为您登记服务预约 #1：法律咨询",                # the order
        "[to 王律师 6001] 🛎️ 新的服务预约（共建单位可接单） #1",
        "[to 陈静 5001] 居民希望的时间（工单 #1）：今天周三 下午2点",
        "您预约的法律咨询（#1）已安排好：\n今天周三 下午2点，幸福里红帆驿站",  # 1001 is told when and where
        "⏰ 提醒：您预约的法律咨询（#1）就在今天周三 下午2点",
        "您对处理结果满意吗？",
        "[to 陈静 5001] 居民对工单 #1 的评价：满意。",
    ):
        assert expected in transcript, expected
    assert "已办结" in chat.lines[-1] or any("已办结" in line for line in chat.lines[-12:])
    ticket = await chat.services.store.ticket(1)
    assert ticket.status.value == "closed" and ticket.rating == "satisfied" and ticket.service_id == "legal"
    assert ticket.appointment_place.startswith("幸福里红帆驿站")
