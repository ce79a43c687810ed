"""Each role sees its own command menu."""


async def test_menus_by_role(chat):
    commands = chat.double.commands
    default = [c["command"] for c in commands["default"]]
    assert "invite" not in default and "me" in default
    staff = [c["command"] for c in commands["chat:5001"]]
    assert "invite" in staff
    assert "chat:1001" not in commands  # residents get the default menu
    assert "chat:2003" in commands
