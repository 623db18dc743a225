from django.contrib.auth.views import LoginView

from accounts.workspace import workspace_for


class SignInView(LoginView):
    """Signing in leads to the page asked for (``next``), else to one's workspace."""

    def get_default_redirect_url(self):
        return workspace_for(self.request.user)[0]
