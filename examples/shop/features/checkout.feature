@checkout @fake:payments
Feature: Checkout
  Customers pay for what is in their basket.

  Background:
    Given a customer "ann@example.com" with 3 items in the basket

  Scenario: Paying by card sends a receipt
    When the customer pays 12.50 by card
    Then an email receipt for 12.50 is sent to "ann@example.com"
    And the order is stored

  Rule: Vouchers
    Background:
      Given the voucher "SPRING" is worth 5

    @wip
    Scenario Outline: Redeeming a voucher
      When the customer redeems "<code>" for <amount>
      Then the basket total is <total>

      Examples:
        | code   | amount | total |
        | SPRING | 5      | 7.50  |
        | WINTER | 0      | 12.50 |

  Scenario: Importing a basket
    Given the basket file:
      """json
      {"items": [1, 2, 3]}
      """
    When the basket is imported with these prices:
      | item | price |
      | 1    | 2.50  |
    Then the basket holds 3 items
