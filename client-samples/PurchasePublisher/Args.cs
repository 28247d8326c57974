using System.Globalization;
using ClientSamples;

namespace PurchasePublisher;

/// <summary>What the tool was asked to do.</summary>
internal enum Mode
{
    Generate,
    Replay,
    Hash,
    Help,
}

/// <summary>A command line that cannot be run; the message says why.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The command line, parsed by hand: <c>[generate|replay|hash] --name value | --name=value | --flag</c>.
/// </summary>
internal sealed class Args
{
    public Mode Mode { get; private set; } = Mode.Generate;

    // Where to publish.
    public string? Connection { get; private set; }
    public int QueueCount { get; private set; } = 4;
    public string Prefix { get; private set; } = "engagement-events";
    public bool Base64 { get; private set; }
    public int Concurrency { get; private set; } = 16;

    /// <summary>Events per queue message, 1–100 (CONTRACT.md §1: a message may carry a JSON array of up to 100).</summary>
    public int Batch { get; private set; } = 1;
    public bool DryRun { get; private set; }

    // generate
    public int Members { get; private set; } = 200;
    public int Events { get; private set; } = 2000;
    public int? Seed { get; private set; }
    public double Duplicates { get; private set; } = 0.05;
    public double Malformed { get; private set; } = 0.01;
    public double Refunds { get; private set; } = 0.03;
    public double EarlyRefunds { get; private set; } = 0.2;
    public string MemberPrefix { get; private set; } = "M";
    public DateTimeOffset? Start { get; private set; }
    public double Days { get; private set; } = 3;
    public string? Out { get; private set; }
    public string? ExpectFile { get; private set; }

    // replay
    public string? File { get; private set; }

    // hash
    public List<string> HashInputs { get; } = [];

    private static readonly HashSet<string> KnownOptions = new(StringComparer.Ordinal)
    {
        "connection", "queues", "prefix", "base64", "concurrency", "batch", "dry-run",
        "members", "events", "seed", "duplicates", "malformed", "refunds", "early-refunds",
        "member-prefix", "start", "days", "out", "expect-file", "file",
    };

    public static Args Parse(IReadOnlyList<string> argv)
    {
        var args = new Args();
        var i = 0;
        if (argv.Count > 0 && !argv[0].StartsWith('-'))
        {
            args.Mode = argv[0] switch
            {
                "generate" => Mode.Generate,
                "replay" => Mode.Replay,
                "hash" => Mode.Hash,
                "help" => Mode.Help,
                _ => throw new UsageException($"unknown mode '{argv[0]}' (expected generate, replay or hash)"),
            };
            i = 1;
        }

        for (; i < argv.Count; i++)
        {
            var token = argv[i];
            if (args.Mode == Mode.Hash && !token.StartsWith("--", StringComparison.Ordinal))
            {
                args.HashInputs.Add(token);
                continue;
            }

            if (token is "-h" or "--help" or "-?")
            {
                args.Mode = Mode.Help;
                return args;
            }

            if (!token.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"unexpected argument '{token}'");
            }

            string name;
            string? inline = null;
            var eq = token.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                name = token[2..eq];
                inline = token[(eq + 1)..];
            }
            else
            {
                name = token[2..];
            }

            if (!KnownOptions.Contains(name))
            {
                throw new UsageException(OptionNames.Unknown(name, KnownOptions));
            }

            // Flags take no value.
            if (name is "base64" or "dry-run")
            {
                if (inline is not null)
                {
                    throw new UsageException($"--{name} takes no value");
                }

                if (name == "base64")
                {
                    args.Base64 = true;
                }
                else
                {
                    args.DryRun = true;
                }

                continue;
            }

            string value;
            if (inline is not null)
            {
                value = inline;
            }
            else if (i + 1 < argv.Count)
            {
                value = argv[++i];
            }
            else
            {
                throw new UsageException($"--{name} needs a value");
            }

            switch (name)
            {
                case "connection": args.Connection = value; break;
                case "queues": args.QueueCount = Int(name, value, 1, 1000); break;
                case "prefix": args.Prefix = value; break;
                case "concurrency": args.Concurrency = Int(name, value, 1, 512); break;
                case "batch": args.Batch = Int(name, value, 1, 100); break;
                case "members": args.Members = Int(name, value, 1, 100_000_000); break;
                case "events": args.Events = Int(name, value, 1, 1_000_000_000); break;
                case "seed": args.Seed = Int(name, value, int.MinValue, int.MaxValue); break;
                case "duplicates": args.Duplicates = Share(name, value); break;
                case "malformed": args.Malformed = Share(name, value); break;
                case "refunds": args.Refunds = Share(name, value); break;
                case "early-refunds": args.EarlyRefunds = Share(name, value); break;
                case "member-prefix": args.MemberPrefix = value; break;
                case "start": args.Start = Date(name, value); break;
                case "days": args.Days = Double(name, value, 0.01, 3650); break;
                case "out": args.Out = value; break;
                case "expect-file": args.ExpectFile = value; break;
                case "file": args.File = value; break;
                default: throw new UsageException($"unknown option --{name}");
            }
        }

        args.Validate();
        return args;
    }

    private void Validate()
    {
        if (Mode == Mode.Replay && string.IsNullOrEmpty(File))
        {
            throw new UsageException("replay needs --file <file.jsonl>");
        }

        if (Mode == Mode.Hash && HashInputs.Count == 0)
        {
            throw new UsageException("hash needs one or more member ids");
        }

        // Queue names: 3-63 chars of lowercase letters, digits and single hyphens; "{prefix}-{index}".
        if (Prefix.Length is < 1 or > 55
            || !Prefix.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
            || !char.IsAsciiLetterOrDigit(Prefix[0]) || Prefix.EndsWith('-') || Prefix.Contains("--", StringComparison.Ordinal))
        {
            throw new UsageException($"--prefix '{Prefix}' is not a valid queue name prefix (lowercase letters, digits, single hyphens)");
        }

        if (MemberPrefix.Length > 40 || !MemberPrefix.All(IsMemberIdChar))
        {
            throw new UsageException($"--member-prefix '{MemberPrefix}' may only use A-Z a-z 0-9 _ - . : (CONTRACT §1)");
        }

        if (Duplicates + Malformed >= 1)
        {
            throw new UsageException("--duplicates plus --malformed must leave room for valid events (sum < 1)");
        }

        if (Start is { } start && start > DateTimeOffset.UtcNow)
        {
            throw new UsageException($"--start {start:O} is in the future; occurredAt is never later than now");
        }
    }

    public static bool IsMemberIdChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':';

    private static int Int(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw new UsageException($"--{name} expects a whole number from {min} to {max}, got '{value}'");
        }

        return n;
    }

    private static double Double(string name, string value, double min, double max)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || d < min || d > max)
        {
            throw new UsageException($"--{name} expects a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, got '{value}'");
        }

        return d;
    }

    private static double Share(string name, string value) => Double(name, value, 0, 1);

    private static DateTimeOffset Date(string name, string value)
    {
        // An ISO date ("2026-11-20") or date-time with or without offset; without one, China time (+08:00).
        if (DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            return parsed.Kind == DateTimeKind.Unspecified
                ? new DateTimeOffset(parsed, TimeSpan.FromHours(8))
                : DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.None);
        }

        throw new UsageException($"--{name} expects an ISO-8601 date such as 2026-11-20 or 2026-11-20T09:00:00+08:00, got '{value}'");
    }

    public const string Usage = """
        PurchasePublisher: publishes engagement events (CONTRACT.md §1) onto Azure Storage Queues,
        the way a POS or e-commerce system would: one JSON object per message, each member's
        events on queue {prefix}-{fnv1a32(utf8(memberId)) mod N}.

        Usage:
          PurchasePublisher [generate] [options]           generate realistic load (default mode)
          PurchasePublisher replay --file <f.jsonl> [options]
                                                           publish each line of a file as one event: one
                                                           queue message each, or up to --batch N a message
          PurchasePublisher hash <memberId>...             print FNV-1a and the queue for member ids
                                                           (to check a port of QueueChoice.cs)

        Where to publish:
          --connection <cs>      storage connection string; else env ConnectionStrings__AzureStorage,
                                 else env AZURE_STORAGE_CONNECTION_STRING, else UseDevelopmentStorage=true
          --queues <N>           number of event queues, must match the engine's
                                 Engagement:Ingestion:QueueCount (default 4)
          --prefix <name>        queue name prefix (default engagement-events); queues are created if missing
          --base64               send base64-encoded JSON instead of raw JSON text
          --concurrency <n>      sends in flight (default 16); one member's events are still sent in order
          --batch <N>            events per queue message, 1-100 (default 1): a JSON array of up to N events
                                 of one queue, as an offline POS uploading its day would send; at most 64 KB
                                 a message; junk that is not a JSON object is still sent alone
          --dry-run              generate and write --out/--expect-file (replay: print the summary), send nothing

        generate:
          --members <N>          members (default 200), ids {member-prefix}000001...
          --events <M>           messages in total, duplicates and malformed included (default 2000)
          --seed <S>             random seed; the same seed, start and options give the same messages
                                 (default: a random seed, printed in the summary)
          --duplicates <share>   share of messages that re-send an earlier event, same eventId (default 0.05)
          --malformed <share>    share of junk messages: broken JSON, missing memberId, negative amount,
                                 unknown type, ... (default 0.01)
          --refunds <share>      share of valid events that refund part or all of an earlier purchase
                                 (default 0.03)
          --early-refunds <share>  share of refunds published BEFORE their purchase (default 0.2)
          --member-prefix <p>    member id prefix (default M)
          --start <ISO date>     earliest occurredAt (default: now minus --days); without an offset, +08:00
          --days <d>             occurredAt spread over [start, start + d], never later than now (default 3)
          --out <file.jsonl>     also write every message body, one per line (JSON text even with --base64)
          --expect-file <f.json> write a JSON summary of what was generated (counts per type, malformed,
                                 unique valid events, per queue, amounts)

        Examples:
          eval "$(scripts/azurite start /tmp/azurite)"     # exports AZURE_STORAGE_CONNECTION_STRING
          dotnet run --project client-samples/PurchasePublisher -- --members 100 --events 1000 --seed 7 --out /tmp/pp.jsonl
          dotnet run --project client-samples/PurchasePublisher -- --seed 7 --start 2026-11-01 --days 30 --expect-file /tmp/expect.json
          dotnet run --project client-samples/PurchasePublisher -- replay --file /tmp/pp.jsonl --base64
          dotnet run --project client-samples/PurchasePublisher -- hash M000123 a

        Exit codes: 0 done, 1 bad command line or file, 2 queue service unreachable or a send failed, 130 cancelled.
        """;
}
