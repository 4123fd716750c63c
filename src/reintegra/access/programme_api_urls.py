from rest_framework.routers import SimpleRouter

from reintegra.access.programme_api import ProgrammeViewSet

router = SimpleRouter()
router.register("programmes", ProgrammeViewSet, basename="programme")

urlpatterns = [*router.urls]
