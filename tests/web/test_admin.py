"""User administration: admins list and add users; others get 403."""

from __future__ import annotations

from web_helpers import PASSWORD, csrf_of, log_in


def test_only_admins_see_and_use_the_users_page(as_role):
    editor, _ = as_role("editor")
    assert editor.get("/admin/users").status_code == 403
    assert "/admin/users" not in editor.get("/").text
    admin, _ = as_role("admin")
    page = admin.get("/admin/users")
    assert page.status_code == 200 and "/admin/users" in admin.get("/").text
    response = admin.post("/admin/users", data={"username": "carol", "password": PASSWORD, "role": "editor",
                                                "csrf_token": csrf_of(page.text)}, follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    assert ("carol", "editor") in [(u["username"], u["role"]) for u in admin.get("/api/users").json()]


def test_the_users_api_adds_users_and_refuses_bad_ones(as_role, client):
    admin, token = as_role("admin")
    headers = {"X-CSRF-Token": token}
    added = admin.post("/api/users", json={"username": "dave", "password": PASSWORD, "role": "viewer"}, headers=headers)
    assert added.status_code == 201 and added.json()["role"] == "viewer"
    log_in(client, "dave")  # the new user can log in
    again = admin.post("/api/users", json={"username": "dave", "password": PASSWORD}, headers=headers)
    assert again.status_code == 422 and "user 'dave' exists already" in again.json()["detail"]
    short = admin.post("/api/users", json={"username": "eve", "password": "1234"}, headers=headers)
    assert short.status_code == 422 and "password" in short.json()["detail"]
    role = admin.post("/api/users", json={"username": "eve", "password": PASSWORD, "role": "root"}, headers=headers)
    assert role.status_code == 422 and "role" in role.json()["detail"]


def test_editors_cannot_add_users(as_role):
    editor, token = as_role("editor")
    response = editor.post("/api/users", json={"username": "x", "password": PASSWORD}, headers={"X-CSRF-Token": token})
    assert response.status_code == 403 and response.json()["detail"] == "needs the admin role"
    assert editor.get("/api/users").status_code == 403
