namespace Engagement.Domain.Benefits;

/// <summary>A benefit of the dynamic package, held by every tier from <see cref="Tier"/> upward.</summary>
public sealed class BenefitDefinition
{
    public string Name { get; set; } = "";

    /// <summary>See <see cref="BenefitKinds"/>; non-monetary kinds are as real as coupons.</summary>
    public string Kind { get; set; } = BenefitKinds.Coupon;

    /// <summary>The lowest tier that holds it.</summary>
    public string Tier { get; set; } = "";

    /// <summary>Lets a deployment switch off a default benefit (keyed entries cannot be removed by configuration).</summary>
    public bool Enabled { get; set; } = true;
}

public static class BenefitKinds
{
    public const string Coupon = "coupon";
    public const string Service = "service";
    public const string Privilege = "privilege";
}
