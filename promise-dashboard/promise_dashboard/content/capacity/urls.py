from django.urls import re_path

from promise_dashboard.content.capacity import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(r'^reserve/$', views.ReserveView.as_view(), name='reserve'),
]
