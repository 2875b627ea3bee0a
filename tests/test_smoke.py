async def test_signup_room_thread_post(people, admin, alice):
    room = await alice.create_room("DVLA data API", tags=["api"])
    thread = await alice.start_thread(room, "Keeper data", "What do we need?")
    status, data = await alice.send(thread["id"], "hello", "c1")
    assert status == 201, data
    assert data["message"]["seq"] == 3
