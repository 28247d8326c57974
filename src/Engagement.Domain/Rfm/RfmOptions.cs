using System.Globalization;

namespace Engagement.Domain.Rfm;

/// <summary>
/// RFM cut-offs. Named scalars rather than arrays so configuration overrides one cut-off without
/// the binder appending to the defaults. Defaults suit a beauty/apparel retailer in CNY.
/// </summary>
public sealed class RfmOptions
{
    /// <summary>Frequency and monetary count purchases in this many trailing days. Default 365.</summary>
    public int WindowDays { get; set; } = 365;

    /// <summary>Recency score 5 when the last purchase is at most this many days ago. Default 30.</summary>
    public int Recency5MaxDays { get; set; } = 30;

    public int Recency4MaxDays { get; set; } = 90;

    public int Recency3MaxDays { get; set; } = 180;

    /// <summary>Recency score 2 up to this many days; older (or never) scores 1. Default 365.</summary>
    public int Recency2MaxDays { get; set; } = 365;

    /// <summary>Frequency score 2 from this many purchases in the window. Default 2.</summary>
    public int Frequency2Min { get; set; } = 2;

    public int Frequency3Min { get; set; } = 4;

    public int Frequency4Min { get; set; } = 8;

    /// <summary>Frequency score 5 from this many purchases. Default 12 (about monthly).</summary>
    public int Frequency5Min { get; set; } = 12;

    /// <summary>Monetary score 2 from this net spend in the window. Default 500 CNY.</summary>
    public decimal Monetary2Min { get; set; } = 500m;

    public decimal Monetary3Min { get; set; } = 2_000m;

    public decimal Monetary4Min { get; set; } = 5_000m;

    public decimal Monetary5Min { get; set; } = 10_000m;

    /// <summary>Value class A from this net spend in the window. Default 5,000 CNY.</summary>
    public decimal ValueClassAMin { get; set; } = 5_000m;

    /// <summary>Value class B from this net spend; below it, C. Default 1,000 CNY.</summary>
    public decimal ValueClassBMin { get; set; } = 1_000m;

    /// <summary>A member who has never bought counts as "New" for this many days after registering. Default 30.</summary>
    public int NewMemberDays { get; set; } = 30;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (WindowDays < 1)
        {
            errors.Add("Rfm:WindowDays must be at least 1.");
        }

        if (!(Recency5MaxDays >= 0 && Recency5MaxDays < Recency4MaxDays && Recency4MaxDays < Recency3MaxDays && Recency3MaxDays < Recency2MaxDays))
        {
            errors.Add("Rfm recency cut-offs must ascend: 0 ≤ Recency5MaxDays < Recency4MaxDays < Recency3MaxDays < Recency2MaxDays.");
        }

        if (!(Frequency2Min >= 1 && Frequency2Min < Frequency3Min && Frequency3Min < Frequency4Min && Frequency4Min < Frequency5Min))
        {
            errors.Add("Rfm frequency cut-offs must ascend: 1 ≤ Frequency2Min < Frequency3Min < Frequency4Min < Frequency5Min.");
        }

        if (!(Monetary2Min > 0 && Monetary2Min < Monetary3Min && Monetary3Min < Monetary4Min && Monetary4Min < Monetary5Min))
        {
            errors.Add("Rfm monetary cut-offs must ascend: 0 < Monetary2Min < Monetary3Min < Monetary4Min < Monetary5Min.");
        }

        if (!(ValueClassBMin > 0 && ValueClassBMin < ValueClassAMin))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Rfm value classes need 0 < ValueClassBMin < ValueClassAMin (got {ValueClassBMin}, {ValueClassAMin})."));
        }

        if (NewMemberDays < 0)
        {
            errors.Add("Rfm:NewMemberDays must be ≥ 0.");
        }

        return errors;
    }
}
