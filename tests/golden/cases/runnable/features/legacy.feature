Feature: Legacy phrasing
  Scenario: Starts with a conjunction
    And the system is up
    When I ask for status
    Then the status is "green"

  Scenario: Same name
    Given the system is up
    Then the status is "green"

  Scenario: Same name
    * the system is down
    Then the status is "red"

  Scenario Outline: Tagged examples
    Given the system is <state>
    Then the status is "<colour>"

    @needs:network
    Examples:
      | state | colour |
      | up    | green  |
