from signin.models.codes import SignInCode
from signin.models.sessions import SignedInSession
from signin.models.twofactor import BackupCode, BackupCodeDevice, SecondFactorReset

__all__ = ["BackupCode", "BackupCodeDevice", "SecondFactorReset", "SignInCode", "SignedInSession"]
