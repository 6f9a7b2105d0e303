"""The service layer: the business rules, written against ports and the store."""

from __future__ import annotations

from .domain import Account, AlreadyRegistered
from .persistence import Store
from .ports import Mailer


class RegistrationService:
    def __init__(self, store: Store, mailer: Mailer) -> None:
        self.store = store
        self.mailer = mailer

    def register(self, email: str, name: str) -> Account:
        if self.store.find_account(email) is not None:
            raise AlreadyRegistered(email)
        account = Account(email=email, name=name)
        self.store.add_account(account)
        # The red phase points here: the welcome email and the audit event are not written yet.
        return account
