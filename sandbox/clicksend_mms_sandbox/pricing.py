"""What a message costs (sandbox prices, not ClickSend's list) and money as ClickSend writes it."""

from __future__ import annotations

from decimal import Decimal

# Sandbox prices per MMS message, in AUD, for the countries where MMS is enabled. AU matches the 2.4200 of
# ClickSend's own examples; the others are plausible round numbers. In 1/10000 of a dollar: exact, like "2.4200".
PRICES_E4: dict[str, int] = {"AU": 24_200, "NZ": 26_400, "US": 5_500, "CA": 5_500, "GB": 11_000}
CURRENCY = {
    "currency_name_short": "AUD",
    "currency_prefix_d": "$",
    "currency_prefix_c": "c",
    "currency_name_long": "Australian Dollars",
}
E4 = 10_000
MAX_AMOUNT = Decimal(10) ** 9  # the largest balance or top-up the sandbox takes (its own bound, not ClickSend's)


def money(e4: int, decimals: int = 4) -> str:
    """Money as ClickSend writes it: a string with 4 decimals ("2.4200"), 6 in receipt-by-id. Exact integer
    arithmetic on 1/10000 units (no Decimal on the hot path)."""
    units, frac = divmod(abs(e4), E4)
    text = f"{'-' if e4 < 0 else ''}{units}.{frac:04d}"
    return text + "0" * (decimals - 4) if decimals >= 4 else f"{Decimal(e4) / E4:.{decimals}f}"


def total_money(e4: int) -> float | int:
    """total_price: a JSON number, and the integer 0 when nothing is charged."""
    return 0 if e4 == 0 else float(Decimal(e4) / E4)


def to_e4(amount: Decimal) -> int:
    """An amount of money in 1/10000 units; ValueError if it has more than 4 decimals."""
    e4 = amount * E4
    if e4 != e4.to_integral_value():
        raise ValueError("at most 4 decimals")
    return int(e4)


def amount_e4(amount: Decimal) -> int:
    """A balance or an amount added to one, in 1/10000 units; ValueError saying what is allowed otherwise."""
    if not amount.is_finite() or not 0 <= amount <= MAX_AMOUNT:
        raise ValueError(f"an amount from 0 to {MAX_AMOUNT}")
    try:
        return to_e4(amount)
    except ValueError:
        raise ValueError("an amount with at most 4 decimals") from None
