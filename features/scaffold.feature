Feature: Scaffold red-phase tests from Gherkin
  As a developer who works outside-in
  I want every scenario to become a test that fails at its Then step
  So that I start from a red that points at missing business logic, not at broken test code

  Background:
    Given an empty project

  Scenario: A new feature becomes a red test module
    Given the feature "checkout.feature":
      """
      Feature: Checkout
        Scenario: Paying by card
          Given a basket with 3 items
          When the customer pays 12.50 by card
          Then a receipt for 12.50 is emailed to "ann@example.com"
      """
    When I run "redphase scaffold"
    Then the exit code is 0
    And the file "tests/test_checkout.py" exists
    And running the tests fails 1 scenarios at their Then step

  Scenario: An invalid feature is reported with its location and nothing is written
    Given the feature "broken.feature":
      """
      Feature: Broken
        Scenario: Uneven table
          Given a table
            | a | b |
            | c |
      """
    When I run "redphase scaffold"
    Then the exit code is 1
    And the output contains "features/broken.feature:5:7: error: inconsistent cell count within the table"
    And the folder "tests" does not exist

  Scenario: Re-scaffolding an unchanged project changes nothing
    Given the feature "checkout.feature":
      """
      Feature: Checkout
        Scenario: Paying by card
          When the customer pays 12.50 by card
          Then a receipt is emailed
      """
    And I ran "redphase scaffold"
    When I run "redphase scaffold --check"
    Then the exit code is 0

  Scenario: A scenario that pytest-bdd would reject still becomes a red test
    Given the feature "legacy.feature":
      """
      Feature: Legacy
        Scenario: Starts with And
          And the system is up
          Then the status is "green"
      """
    When I run "redphase scaffold"
    Then the exit code is 0
    And the output contains "redphase binds the tests to a runnable copy"
    And running the tests fails 1 scenarios at their Then step
