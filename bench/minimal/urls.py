from django.shortcuts import render
from django.urls import path


def hello(request):
    return render(request, "hello.html", {"name": "reader"})


urlpatterns = [path("", hello)]
