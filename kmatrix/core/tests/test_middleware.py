import pytest


@pytest.mark.parametrize(
    "address",
    [
        "/people/?q=%00",
        "/organisations/?q=a%00b",
        "/api/v1/people?q=%00",
        "/organisations/ods/R%00M/",
    ],
)
def test_a_null_character_in_the_address_is_a_400_not_a_500(world, address):
    response = world.client("coordinator").get(address)
    assert response.status_code == 400
    assert b"null character" in response.content
