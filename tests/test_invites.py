"""Staff invite a building head with a one-time deep link."""

import re
from bot.models import Role


async def make_invite(chat, role_label="楼栋长", *taps) -> str:
    await chat.say(5001, "/invite")
    await chat.line(f"::tap {role_label}")
    for tap in taps:
        replies = await chat.line(f"::tap {tap}")
    return re.search(r"start=([\w-]+)", "\n".join(replies))[1]


async def test_invite_is_redeemed_once(chat):
    code = await make_invite(chat, "楼栋长", "幸福里小区", "11号楼")
    replies = await chat.say(7101, f"/start {code}")
    assert any("幸福里小区11号楼 的楼栋长" in line for line in replies)
    head = await chat.services.store.person_by_telegram(7101)
    assert [(g.role, g.scope_name) for g in head.grants] == [(Role.BUILDING_HEAD, "幸福里小区11号楼")]

    replies = await chat.say(7102, f"/start {code}")
    assert any("已经被使用" in line for line in replies)
    assert await chat.services.store.person_by_telegram(7102) is None


async def test_invite_expires_after_seven_days(chat):
    code = await make_invite(chat, "网格长", "第二网格")
    await chat.line("::advance 8d")
    replies = await chat.say(7103, f"/start {code}")
    assert any("已过期" in line for line in replies)


async def test_staff_invite_gives_staff_menu(chat):
    code = await make_invite(chat, "社区工作人员", "幸福社区")
    await chat.say(7104, f"/start {code}")
    commands = [c["command"] for c in chat.double.commands["chat:7104"]]
    assert "invite" in commands


async def test_unknown_code_is_refused(chat):
    replies = await chat.say(7105, "/start not-a-real-code")
    assert any("邀请码无效" in line for line in replies)


async def test_resident_cannot_invite(chat):
    replies = await chat.say(1001, "/invite")
    assert replies == ["[to 张桂兰 1001] 抱歉，这个命令只有社区工作人员可以使用。"]


async def test_resident_cannot_press_invite_buttons(chat):
    replies = await chat.press(1001, "iv.building_head:b:3")
    assert replies == ["[to 张桂兰 1001] (提示) 抱歉，这个命令只有社区工作人员可以使用。"]
    assert (await chat.services.store.person_by_telegram(1001)).roles == frozenset()


async def test_staff_cannot_invite_into_another_community(chat):
    store = chat.services.store
    async with store.transaction() as db:
        await store.ensure_building(db, street="幸福街道", community="和谐社区", grid="第三网格", compound="和谐家园",
                                   building="1号楼", building_order=1, units=[])
    await chat.say(5001, "/invite")
    await chat.line("::tap 网格长")
    replies = await chat.line("::tap 第三网格")
    assert any("只能为本社区邀请人员" in line for line in replies)
