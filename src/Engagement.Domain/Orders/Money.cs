using System.Globalization;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Orders;

/// <summary>
/// The money rules of CONTRACT.md §1: an amount has at most as many decimals as its currency's minor unit (never
/// silently floored), and a currency other than the programme's is accepted only when configured with a rate,
/// then converted to the programme currency at that rate, rounded half away from zero to the programme's minor unit
/// (<see cref="ProgramOptions.CurrencyDecimals"/>; 0.005 CNY rounds to 0.01).
/// </summary>
public static class Money
{
    /// <summary>The event's currency: its own, else the programme's.</summary>
    public static string CurrencyOf(MemberEvent evt, ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(evt.Currency) ? options.Currency : evt.Currency;
    }

    /// <summary>
    /// The minor unit of <paramref name="currency"/> in decimals (<see cref="ProgramOptions.CurrencyDecimals"/> for the
    /// programme's, 2 for CNY; a configured currency's own), or null for a currency the programme does not accept.
    /// </summary>
    public static int? DecimalsOf(string currency, ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.Equals(currency, options.Currency, StringComparison.Ordinal))
        {
            return options.CurrencyDecimals;
        }

        return options.Currencies.TryGetValue(currency, out var rule) && rule is not null ? rule.Decimals : null;
    }

    /// <summary>
    /// <paramref name="amount"/> with exactly <paramref name="decimals"/> decimals (0–28): <c>12.5</c> and
    /// <c>12.50000</c> at 2 are both <c>12.50</c>, so equal amounts are stored, shown and compared in one form. Rounds half
    /// away from zero: callers pass an amount <see cref="Check"/> accepted (at most that many decimals, CONTRACT.md §1), or one
    /// they checked has no more decimals (<see cref="ToProgramme"/>), for which nothing is rounded, or a converted one
    /// (<see cref="Convert"/>), which is rounded by contract.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decimals"/> is outside 0–28.</exception>
    public static decimal AtMinorUnit(decimal amount, int decimals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(decimals, 28);
        var rounded = decimal.Round(amount, decimals, MidpointRounding.AwayFromZero);

        // Adding a zero of that scale raises a shorter scale (12.5 → 12.50) without touching the value.
        return rounded.Scale == decimals ? rounded : rounded + new decimal(0, 0, 0, false, (byte)decimals);
    }

    /// <summary>
    /// <paramref name="evt"/> with its amount at its currency's minor unit (<see cref="AtMinorUnit"/>; the same event when it
    /// already is, or has no amount, or its currency or amount is refused by <see cref="Check"/>, which must be asked first):
    /// a purchase sent as <c>12.50000</c> stores and shows 12.50 CNY, as one sent as <c>12.5</c> does.
    /// </summary>
    public static MemberEvent InMinorUnit(MemberEvent evt, ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(evt);
        if (evt.Amount is not { } amount || DecimalsOf(CurrencyOf(evt, options), options) is not { } decimals
            || amount.Scale == decimals || decimal.Round(amount, decimals) != amount)
        {
            return evt;
        }

        return evt with { Amount = AtMinorUnit(amount, decimals) };
    }

    /// <summary>Why the event's amount or currency is refused (starting with the field name), or null when they are fine.</summary>
    public static string? Check(MemberEvent evt, ProgramOptions options)
    {
        var currency = CurrencyOf(evt, options);
        if (DecimalsOf(currency, options) is not { } decimals)
        {
            return $"currency: {Quoted(currency)} is not accepted; the programme currency is {options.Currency}"
                + (options.Currencies.Count == 0 ? "" : $" (also configured: {string.Join(", ", options.Currencies.Keys.Order(StringComparer.Ordinal))})");
        }

        if (evt.Amount is { } amount && decimal.Round(amount, decimals) != amount)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"amount: {amount} has more than {decimals} decimals, the minor unit of {currency}; send the exact amount in {currency}");
        }

        return null;
    }

    /// <summary>
    /// A refused currency as a reason (a poison reason, a log line, an answer) may show it: quoted when it has the shape
    /// of an ISO 4217 code (3 letters A–Z, nothing secret), else by its length alone, since a phone number or a coupon
    /// code sent as the currency must never be echoed (the wire validator masks it, EventBounds.Echo; events from an
    /// Orleans producer reach these rules without it).
    /// </summary>
    private static string Quoted(string currency) =>
        currency.Length == 3 && currency.All(char.IsAsciiLetterUpper)
            ? $"'{currency}'"
            : string.Create(CultureInfo.InvariantCulture, $"a value of {currency.Length} characters that is no 3-letter ISO 4217 code (not shown)");

    /// <summary>
    /// The amount in the programme currency and the rate used (null for the programme currency itself). A programme-currency
    /// amount is never rounded: one with at most the minor unit's decimals is written at it (<see cref="AtMinorUnit"/>,
    /// 12.5 → 12.50), one with more (a line's quantity × unit price, 3 × 166.6665 = 499.9995) is kept exactly, so a
    /// threshold such as a coupon's minimum spend compares the true figure. A foreign amount is converted by
    /// <see cref="Convert"/> (rounded half away from zero to the minor unit).
    /// </summary>
    public static (decimal Amount, decimal? Rate) ToProgramme(decimal amount, string currency, ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.Equals(currency, options.Currency, StringComparison.Ordinal))
        {
            var decimals = options.CurrencyDecimals;
            return (decimal.Round(amount, decimals) == amount ? AtMinorUnit(amount, decimals) : amount, null);
        }

        var rate = options.Currencies[currency].Rate;
        return (Convert(amount, rate, options), rate);
    }

    /// <summary>
    /// An amount as the programme counts it (CNY): <paramref name="amount"/> in <paramref name="currency"/> (null or
    /// blank: the programme's) converted by <see cref="ToProgramme"/>. Null without an amount, or in a currency the
    /// programme does not accept (CONTRACT.md §1 <c>currency</c>). Campaign revenue and trigger thresholds read this,
    /// never the event's own figure.
    /// </summary>
    public static decimal? InProgrammeCurrency(decimal? amount, string? currency, ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var code = string.IsNullOrWhiteSpace(currency) ? options.Currency : currency;
        if (amount is not { } value || (!string.Equals(code, options.Currency, StringComparison.Ordinal) && options.Currencies.GetValueOrDefault(code) is null))
        {
            return null;
        }

        return ToProgramme(value, code, options).Amount;
    }

    /// <summary>amount × rate, rounded half away from zero to the programme currency's minor unit.</summary>
    public static decimal Convert(decimal amount, decimal rate, ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return AtMinorUnit(amount * rate, options.CurrencyDecimals);
    }

    /// <summary>"100.00 USD at 7.1 = 710.00 CNY", or "268.50 CNY".</summary>
    public static string Describe(decimal programmeAmount, ForeignAmount? foreign, decimal? foreignAmount, ProgramOptions options) =>
        Text(programmeAmount, foreign, foreignAmount, options).ToString();

    /// <summary>
    /// <see cref="Describe"/>'s words as a value an interpolated reason writes in place: a ledger reason that contains them
    /// makes one string, not one more for them.
    /// </summary>
    internal static AmountText Text(decimal programmeAmount, ForeignAmount? foreign, decimal? foreignAmount, ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AmountText(programmeAmount, foreign, foreignAmount, options.Currency);
    }

    /// <summary>The words of <see cref="Describe"/>, formatted where they are written (see <see cref="Text"/>).</summary>
    internal readonly struct AmountText(decimal programmeAmount, ForeignAmount? foreign, decimal? foreignAmount, string currency) : ISpanFormattable
    {
        /// <inheritdoc/>
        public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
            foreign is null
                ? destination.TryWrite(CultureInfo.InvariantCulture, $"{programmeAmount:0.00} {currency}", out charsWritten)
                : destination.TryWrite(CultureInfo.InvariantCulture, $"{foreignAmount ?? foreign.Amount} {foreign.Currency} at {foreign.Rate} = {programmeAmount:0.00} {currency}", out charsWritten);

        /// <inheritdoc/>
        public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

        /// <summary>The words as a string of their own.</summary>
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{this}");
    }
}
