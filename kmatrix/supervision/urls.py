from django.urls import path

from kmatrix.supervision import views, views_manage, views_payments, views_sessions

app_name = "supervision"
P = "networks/<slug:slug>/supervision/"
urlpatterns = [
    path("supervision/", views.index, name="index"),
    path(P, views.home, name="home"),
    path(P + "setup/", views.setup, name="setup"),
    path(P + "roles/", views.roles, name="roles"),
    path(P + "roles/<int:pk>/remove/", views.role_remove, name="role_remove"),
    path(P + "register/", views.register, name="register"),
    # Sessions and bookings
    path(P + "sessions/", views_sessions.sessions, name="sessions"),
    path(P + "sessions/new/", views_sessions.slot_create, name="slot_create"),
    path(P + "sessions/<int:pk>/", views_sessions.slot, name="slot"),
    path(P + "sessions/<int:pk>/book/", views_sessions.slot_book, name="slot_book"),
    path(P + "sessions/<int:pk>/wait/", views_sessions.slot_wait, name="slot_wait"),
    path(P + "sessions/<int:pk>/edit/", views_sessions.slot_edit, name="slot_edit"),
    path(P + "sessions/<int:pk>/cancel/", views_sessions.slot_cancel, name="slot_cancel"),
    path(
        P + "sessions/<int:pk>/attendance/", views_sessions.slot_attendance, name="slot_attendance"
    ),
    path(P + "bookings/", views_sessions.bookings_page, name="bookings"),
    path(P + "bookings/<int:pk>/", views_sessions.booking, name="booking"),
    path(P + "bookings/<int:pk>/cancel/", views_sessions.booking_cancel, name="booking_cancel"),
    path(P + "bookings/<int:pk>/move/", views_sessions.booking_move, name="booking_move"),
    path(P + "bookings/<int:pk>/invite.ics", views_sessions.booking_ics, name="booking_ics"),
    path(P + "waiting/<int:pk>/", views_sessions.waiting, name="waiting"),
    path(P + "waiting/<int:pk>/accept/", views_sessions.waiting_accept, name="waiting_accept"),
    path(P + "waiting/<int:pk>/leave/", views_sessions.waiting_leave, name="waiting_leave"),
    # Management and supervisors
    path(P + "manage/", views_manage.overview, name="overview"),
    path(P + "manage/reminders/", views_manage.reminders_start, name="reminders_start"),
    path(
        P + "manage/reminders/progress/", views_manage.reminders_progress, name="reminders_progress"
    ),
    path(P + "supervisors/", views_manage.supervisors, name="supervisors"),
    path(P + "supervisors/new/", views_manage.supervisor_create, name="supervisor_create"),
    path(P + "supervisors/<int:pk>/", views_manage.supervisor, name="supervisor"),
    path(P + "supervisors/<int:pk>/edit/", views_manage.supervisor_edit, name="supervisor_edit"),
    path(
        P + "supervisors/<int:pk>/status/", views_manage.supervisor_status, name="supervisor_status"
    ),
    path(
        P + "supervisors/<int:pk>/checks/<slug:kind>/", views_manage.check_edit, name="check_edit"
    ),
    path(
        P + "supervisors/<int:pk>/weekly/",
        views_manage.availability_create,
        name="availability_create",
    ),
    path(P + "weekly/<int:pk>/end/", views_manage.availability_end, name="availability_end"),
    path(P + "mine/", views_manage.mine, name="mine"),
    # Payments and need
    path(P + "payments/", views_payments.payments_page, name="payments"),
    path(P + "payments/drawdown/", views_payments.drawdown_page, name="drawdown"),
    path(P + "payments/<int:pk>/", views_payments.payment_run, name="payment_run"),
    path(
        P + "payments/<int:pk>/progress/",
        views_payments.payment_run_progress,
        name="payment_run_progress",
    ),
    path(P + "statements/<int:pk>/", views_payments.statement, name="statement"),
    path(
        P + "statements/<int:pk>/status/", views_payments.statement_status, name="statement_status"
    ),
    path(P + "need/", views_payments.need, name="need"),
    path(P + "need/edit/", views_payments.need_edit, name="need_edit"),
]
