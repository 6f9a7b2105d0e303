@fake:email @_private @parametrize @slow(3)
Feature: Hostile """ text {{ x }} \ and '''
  Background:
    And a user named "Robert'); DROP TABLE--" with \backslash\ and {{ x }} {% raw %}

  Scenario: quotes "double" and 'single'!
    Given the text """ is here and __import__("os").system("touch PWNED")
    When I send an email to "a@b.c" with 3 attachments and -2.5 score
    Then the email "x\"y" arrives with 3 attachments and -2.5 score

  Scenario: quotes "double" and 'single'?
    * a step with a trailing backslash \
    Then the result is ""

  Scenario: quotes "double" and 'single'?
    Given nothing
    Then the result is "\\"

  Scenario Outline: <who> pays <amount>
    Given <who> has <amount> euros
    When <who> pays "<item>"
    Then <who> has <left> euros
    Examples:
      | who   | amount | item       | left |
      | alice | 10     | a "quoted" | 5.5  |
      | bob   | -3     | \|pipe     | 0    |

  Scenario: """
    Given def class import
    Then <not a placeholder> holds
    And the docstring says:
      """
      Feature: inner
        Scenario: ''' \"""
          Given {{ x }}
      """
