from django.urls import path

from bridgeway.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.intake, name="intake"),
    path("first-contact/", views.first_contact, name="first_contact"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("approvals/", views.approvals, name="approvals"),
    path("indicator-sets/", views.indicator_sets, name="indicator_sets"),
    path("settings/", views.case_settings, name="settings"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/edit/", views.edit, name="edit"),
    path("<uuid:pk>/person/", views.person_edit, name="person_edit"),
    path("<uuid:pk>/work/", views.work, name="work"),
    path("<uuid:pk>/work/objectives/", views.objective_add, name="objective_add"),
    path("<uuid:pk>/work/objectives/<str:objective_id>/done/", views.objective_done,
         name="objective_done"),
    path("<uuid:pk>/work/tasks/", views.task_add, name="task_add"),
    path("<uuid:pk>/work/tasks/<str:task_id>/done/", views.task_done, name="task_done"),
    path("<uuid:pk>/work/events/", views.event_add, name="event_add"),
    path("<uuid:pk>/work/perpetrators/", views.perpetrator_add, name="perpetrator_add"),
    path("<uuid:pk>/work/assignment/", views.assign, name="assign"),
    path("<uuid:pk>/timeline/", views.timeline, name="timeline"),
    path("<uuid:pk>/convert/", views.convert, name="convert"),
    path("<uuid:pk>/status/", views.set_status, name="status"),
    path("<uuid:pk>/notes/", views.add_note, name="note"),
    path("<uuid:pk>/services/", views.add_service, name="service"),
    path("<uuid:pk>/identification/", views.assess, name="assess"),
    path("<uuid:pk>/identification/result/", views.assess_result, name="assess_result"),
    path("<uuid:pk>/decisions/", views.decide, name="decide"),
    path("<uuid:pk>/decisions/formal/", views.decide_formal, name="decide_formal"),
    path("<uuid:pk>/decisions/<int:decision_id>/review/", views.approve, name="approve"),
]
