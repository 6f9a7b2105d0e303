@registration
Feature: User registration creates an account, sends a welcome email and records an audit event
  A visitor who registers gets an account, is welcomed by email, and the registration is audited.

  Scenario: A new visitor is welcomed by email
    Given no account exists for "ada@example.com"
    When a visitor registers with email "ada@example.com" and name "Ada Lovelace"
    Then an account exists for "ada@example.com"
    And a welcome email is sent to "ada@example.com"

  Scenario: Every registration is audited
    Given no account exists for "grace@example.com"
    When a visitor registers with email "grace@example.com" and name "Grace Hopper"
    Then an audit event "user_registered" is recorded for "grace@example.com"
