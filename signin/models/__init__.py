from signin.models.codes import SignInCode

__all__ = ["SignInCode"]
