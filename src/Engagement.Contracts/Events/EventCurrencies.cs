namespace Engagement.Contracts.Events;

/// <summary>
/// The currencies events may be priced in (CONTRACT.md §1): the programme currency, plus each currency the deployment
/// configures with a rate (<c>Engagement:Program:Currencies:{code}:Rate</c>), each with its minor unit in decimals.
/// The hosting builds one from the programme options and hands it to <see cref="EventValidator"/> and
/// <see cref="EventParser"/>; Contracts never reads configuration itself.
/// </summary>
public sealed class EventCurrencies
{
    private readonly Dictionary<string, int> _decimals;

    /// <param name="programmeCurrency">ISO 4217 code of the programme currency (<c>CNY</c>).</param>
    /// <param name="programmeDecimals">Its minor unit in decimals (2 for CNY).</param>
    /// <param name="others">Other accepted currencies by code, with their minor unit in decimals (2 for USD, 0 for JPY).</param>
    public EventCurrencies(string programmeCurrency, int programmeDecimals, IReadOnlyDictionary<string, int>? others = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(programmeCurrency);
        ArgumentOutOfRangeException.ThrowIfNegative(programmeDecimals);
        ProgrammeCurrency = programmeCurrency;
        _decimals = new Dictionary<string, int>(StringComparer.Ordinal) { [programmeCurrency] = programmeDecimals };
        foreach (var (code, decimals) in others ?? new Dictionary<string, int>())
        {
            ArgumentOutOfRangeException.ThrowIfNegative(decimals);
            _decimals.TryAdd(code, decimals);
        }
    }

    /// <summary>The contract default: CNY with 2 decimals (fen), no other currency.</summary>
    public static EventCurrencies ProgrammeDefault { get; } = new(EventValidator.DefaultCurrency, 2);

    /// <summary>The programme currency's ISO code.</summary>
    public string ProgrammeCurrency { get; }

    /// <summary>Every accepted code, programme currency first, then the others in ordinal order.</summary>
    public IReadOnlyList<string> Accepted =>
        [ProgrammeCurrency, .. _decimals.Keys.Where(c => c != ProgrammeCurrency).Order(StringComparer.Ordinal)];

    /// <summary>The minor unit (decimals) of <paramref name="code"/>; false when the currency is not accepted (codes are case-sensitive, upper case).</summary>
    public bool TryGetDecimals(string? code, out int decimals)
    {
        decimals = 0;
        return code is not null && _decimals.TryGetValue(code, out decimals);
    }
}
