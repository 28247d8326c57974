namespace Engagement.Domain.Program;

/// <summary>
/// A currency other than the programme's that events may be priced in (CONTRACT.md §1), bound from
/// <c>Engagement:Program:Currencies:{code}</c>, e.g. <c>Engagement:Program:Currencies:USD:Rate = 7.1</c>.
/// </summary>
public sealed class CurrencyRule
{
    /// <summary>The largest rate accepted: a guard against a misplaced decimal point in configuration.</summary>
    public const decimal MaxRate = 100_000m;

    /// <summary>Programme-currency units (CNY) per one unit of this currency; &gt; 0 and ≤ <see cref="MaxRate"/>. Required.</summary>
    public decimal Rate { get; set; }

    /// <summary>The currency's minor unit, in decimals (ISO 4217: 2 for USD, 0 for JPY, 3 for KWD); amounts with more are refused. Default 2; 0–4.</summary>
    public int Decimals { get; set; } = 2;
}
