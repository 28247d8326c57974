namespace Engagement.Api.Problems;

/// <summary>Collects field → messages for an RFC 9457 validation problem.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    /// <summary>Whether <paramref name="field"/> is named already (so a later check does not name it twice).</summary>
    public bool Names(string field) => _errors.ContainsKey(field);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>A 400 problem naming one field.</summary>
    public static IResult Problem(string field, string message)
    {
        var errors = new FieldErrors();
        errors.Add(field, message);
        return errors.ToProblem();
    }

    /// <summary>A 400 problem naming each field.</summary>
    public IResult ToProblem(string title = "The request has invalid fields", IDictionary<string, object?>? extensions = null) =>
        Results.ValidationProblem(ToDictionary(), title: title, extensions: extensions);
}
