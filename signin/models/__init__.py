from signin.models.codes import SignInCode
from signin.models.sessions import SignedInSession

__all__ = ["SignInCode", "SignedInSession"]
