"""Setting a service up, its settings and roles, from the pages."""

from __future__ import annotations

from kmatrix.networks.tests import factories as f
from kmatrix.supervision.models import ServiceRole, SupervisionService

SETTINGS = {
    "name": "Therapy supervision",
    "description": "",
    "contact_email": "team@example.org",
    "notice_hours": "24",
    "reminder_days": "45",
    "offer_hours": "12",
    "open_for_applications": "on",
    "required_checks": ["identity", "dbs", "contract"],
}


def test_a_coordinator_sets_up_a_service_for_their_network(world):
    client = world.client("coordinator")
    home = client.get("/networks/alliance/supervision/")
    assert home.status_code == 302
    assert home["Location"] == "/networks/alliance/supervision/setup/"
    response = client.post("/networks/alliance/supervision/setup/", SETTINGS)
    assert response.status_code == 302
    service = SupervisionService.objects.get(network=world.network)
    assert service.required_checks == ["identity", "dbs", "contract"]
    assert (service.notice_hours, service.reminder_days, service.offer_hours) == (24, 45, 12)


def test_a_member_is_told_there_is_no_service(world):
    response = world.client("member").get("/networks/alliance/supervision/")
    assert response.status_code == 404
    assert "does not run a supervision booking service" in response.content.decode()


def test_the_project_manager_changes_the_settings_and_a_bad_value_is_a_form_error(sv):
    client = sv.client("project_manager")
    bad = client.post(sv.base + "setup/", {**SETTINGS, "notice_hours": "-3"})
    assert bad.status_code == 400
    other_group = f.GroupFactory(network=sv.world.other_network)
    wrong = client.post(sv.base + "setup/", {**SETTINGS, "sponsor_group": str(other_group.pk)})
    assert wrong.status_code == 400
    good = client.post(sv.base + "setup/", {**SETTINGS, "sponsor_group": str(sv.hr_group.pk)})
    assert good.status_code == 302
    sv.service.refresh_from_db()
    assert sv.service.contact_email == "team@example.org"


def test_roles_are_added_and_removed_but_never_the_last_project_manager(sv):
    client = sv.client("coordinator")
    added = client.post(
        sv.base + "roles/",
        {
            "person": sv.people["rt5_staff"].pk,
            "role": "provider_lead",
            "organisation": sv.world.other_org.pk,
        },
    )
    assert added.status_code == 302
    lead = ServiceRole.objects.get(person=sv.people["rt5_staff"])
    assert lead.organisation == sv.world.other_org
    missing = client.post(
        sv.base + "roles/", {"person": sv.people["member"].pk, "role": "provider_lead"}
    )
    assert missing.status_code == 400
    assert "Choose the provider they lead for." in missing.content.decode()
    manager = ServiceRole.objects.get(role="project_manager")
    refused = client.post(sv.base + f"roles/{manager.pk}/remove/", follow=True)
    assert "needs a project manager" in refused.content.decode()
    assert ServiceRole.objects.filter(pk=manager.pk).exists()
    client.post(sv.base + f"roles/{lead.pk}/remove/")
    assert not ServiceRole.objects.filter(pk=lead.pk).exists()
