"""The two ticket demo scripts in docs/demos run end to end, as a user would see them."""


def after(lines: list[str], marker: str) -> list[str]:
    index = next(i for i, line in enumerate(lines) if marker in line)
    return lines[index:]


async def test_full_loop_from_report_to_rated_closure(chat):
    text = await chat.run_script("ticket_loop.txt")
    assert "[to 张桂兰 1001] 已登记工单 #1：物业问题" in text and "负责人：楼栋长 赵德明" in text
    assert "[to 赵德明 2003] 📋 新工单 #1" in text
    assert "[to 张桂兰 1001] 您反映的 #1 已由 楼栋长 赵德明 接单" in text
    assert "您反映的 #1 已处理：已联系电梯公司，更换了门机板" in text
    assert "工单已重新打开并升级到 网格长 周敏" in text
    assert "[to 周敏 3001] 🔁 居民不满意、重新办理的工单 #1" in text
    assert "[to 周敏 3001] 居民不满意的原因（工单 #1）：还是时好时坏" in text
    assert "[to 张桂兰 1001] 工单 #1 已办结，谢谢您的评价！" in text
    exported = (await chat.services.store.tickets_export())[0]
    assert exported["status"] == "closed" and exported["rating"] == "satisfied" and exported["level"] == 1
    assert exported["assignee_id"] == 3001 and exported["reporter_id"] == 1001
    assert [e["type"] for e in exported["events"]] == [
        "opened", "assigned", "accepted", "resolved", "reopened", "reason", "accepted", "resolved", "rated"]


async def test_unaccepted_ticket_escalates_and_urgent_reaches_everyone(chat):
    await chat.run_script("ticket_escalation.txt")
    lines = chat.lines
    escalation = "\n".join(after(lines, "（控制台）11-23 10:30"))
    assert "[to 赵德明 2003] ⏰ 提醒：工单 #1" in escalation
    assert "[to 赵德明 2003] 工单 #1 超时未接单，已升级到 网格长。" in escalation
    assert "[to 周敏 3001] ⬆️ 升级转来的工单 #1" in escalation
    assert "[to 李建国 1002] 您反映的 #1 因超时未处理，已升级到 网格长 周敏。" in escalation
    urgent = "\n".join(after(lines, "[to 张桂兰 1001] ⚠️"))
    assert "110 报警 · 119 火警 · 120 急救" in urgent
    assert "[to 赵德明 2003] 📋 新工单 #2（🚨紧急）" in urgent
    assert "[to 周敏 3001] 📣 知会：新工单 #2（🚨紧急）" in urgent
    assert "[to 陈静 5001] 📣 知会：新工单 #2（🚨紧急）" in urgent
    assert "#2🚨 [待接单]" in urgent  # /tasks lists the urgent one for 2003
