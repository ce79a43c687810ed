"""A newcomer registers an address with buttons; what they wrote first is not lost."""

from bot.models import Role


async def test_new_user_picks_compound_building_unit(chat):
    replies = await chat.say(7001, "/start")
    assert any("请选择小区" in line for line in replies)
    await chat.line("::tap 幸福里小区")
    await chat.line("::tap 5号楼")
    replies = await chat.line("::tap 2单元")
    assert any("登记完成：幸福里小区5号楼2单元" in line for line in replies)
    person = await chat.services.store.person_by_telegram(7001)
    assert person.address == "幸福里小区5号楼2单元"
    assert person.roles == frozenset()


async def test_message_before_registering_is_kept_and_replayed(chat):
    replies = await chat.say(7002, "楼道灯不亮了")
    assert any("已经记下" in line for line in replies)
    await chat.line("::tap 和平苑")
    await chat.line("::tap 2号楼")
    replies = await chat.line("::tap 1单元")
    assert any("楼道灯不亮了" in line and "现在为您处理" in line for line in replies)
    assert await chat.services.store.held_messages(7002) == []


async def test_me_shows_address_and_changes_it(chat):
    replies = await chat.say(1001, "/me")
    assert "住址：幸福里小区3号楼2单元" in replies[0]
    await chat.line("::tap 修改住址")
    await chat.line("::tap 幸福里小区")
    await chat.line("::tap 6号楼")
    await chat.line("::tap 3单元")
    assert (await chat.services.store.person_by_telegram(1001)).address == "幸福里小区6号楼3单元"


async def test_long_lists_are_paged(chat, settings):
    store = chat.services.store
    async with store.transaction() as db:
        for n in range(13, 30):
            await store.ensure_building(db, street="幸福街道", community="幸福社区", grid="第二网格",
                                       compound="幸福里小区", building=f"{n}号楼", building_order=n, units=[])
    await chat.say(7003, "/start")
    replies = await chat.line("::tap 幸福里小区")
    assert "[下一页 »]" in replies[-1] and "[13号楼]" not in replies[-1]
    replies = await chat.line("::tap 下一页")
    assert "[13号楼]" in replies[-1] and "[« 上一页]" in replies[-1]
    replies = await chat.line("::tap 20号楼")  # no units: the building is the address
    assert any("登记完成：幸福里小区20号楼" in line for line in replies)


async def test_admins_from_settings_exist_from_start(chat):
    admin = await chat.services.store.person_by_telegram(9001)
    assert Role.ADMIN in admin.roles and admin.is_staff
