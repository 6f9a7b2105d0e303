Feature: Legacy phrasing
  Scenario: Starts with a conjunction
    Given the system is up
    When I ask for status
    Then the status is "green"

  Scenario: Same name
    Given the system is up
    Then the status is "green"

  Scenario: Same name (line 11)
    Given the system is down
    Then the status is "red"

  Scenario Outline: Tagged examples
    Given the system is <state>
    Then the status is "<colour>"

    @needs_network
    Examples:
      | state | colour |
      | up    | green  |
# Runnable copy of features/legacy.feature written by redphase scaffold. Do not edit: edit that file.
