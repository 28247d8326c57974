using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CampaignTrigger;

Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException ex)
{
    if (ex.Message != "help")
    {
        Console.Error.WriteLine(ex.Message);
    }

    Console.Error.WriteLine(Options.Usage);
    return ex.Message == "help" ? 0 : 1;
}

using var http = new HttpClient { BaseAddress = options.Api, Timeout = TimeSpan.FromSeconds(60) };
http.DefaultRequestHeaders.Add("X-Api-Key", options.Key);
var api = new CampaignApi(http);

try
{
    var definition = options.File is { } file
        ? JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject()
        : options.BuildDefinition(DateTimeOffset.Now);
    var id = definition["id"]?.GetValue<string>() ?? "";

    var (createStatus, created) = await api.SendAsync(HttpMethod.Post, "api/v1/campaigns", definition);
    switch (createStatus)
    {
        case HttpStatusCode.Created:
            Console.WriteLine($"created campaign {id}");
            break;
        case HttpStatusCode.OK:
            Console.WriteLine($"campaign {id} already exists with this definition; continuing");
            break;
        case HttpStatusCode.BadRequest:
            Console.Error.WriteLine("the definition was refused:");
            foreach (var (field, messages) in created?["errors"]?.AsObject() ?? [])
            {
                Console.Error.WriteLine($"  {field}: {string.Join("; ", messages!.AsArray().Select(m => m!.GetValue<string>()))}");
            }

            return 2;
        case HttpStatusCode.Conflict:
            Console.Error.WriteLine($"conflict: {created?["detail"]}");
            return 3;
        default:
            Console.Error.WriteLine($"POST /api/v1/campaigns answered {(int)createStatus}: {created?["title"] ?? created?.ToJsonString()}");
            return 1;
    }

    var kind = definition["kind"]?.GetValue<string>();
    if (kind != "broadcast")
    {
        Console.WriteLine("a triggered campaign fires on member events; results grow as members match:");
        Console.WriteLine($"  GET {options.Api}api/v1/campaigns/{id}/results");
        return 0;
    }

    var (triggerStatus, triggered) = await api.SendAsync(HttpMethod.Post, $"api/v1/campaigns/{id}/trigger", null);
    if (triggerStatus != HttpStatusCode.Accepted)
    {
        Console.Error.WriteLine($"trigger answered {(int)triggerStatus}: {triggered?["detail"] ?? triggered?["title"]}");
        return triggerStatus == HttpStatusCode.Conflict ? 3 : 1;
    }

    Console.WriteLine($"triggered; following GET /api/v1/campaigns/{id}");
    if (!options.Follow)
    {
        return 0;
    }

    var deadline = DateTime.UtcNow + options.Timeout;
    JsonObject? progress = null;
    while (DateTime.UtcNow < deadline)
    {
        var (_, campaign) = await api.SendAsync(HttpMethod.Get, $"api/v1/campaigns/{id}", null);
        progress = campaign?["progress"]?.AsObject();
        Console.Error.Write("\r" + Render.ProgressLine(progress));
        if (campaign?["status"]?.GetValue<string>() == "completed")
        {
            break;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        await timer.WaitForNextTickAsync();
    }

    Console.Error.WriteLine();
    var (resultsStatus, results) = await api.SendAsync(HttpMethod.Get, $"api/v1/campaigns/{id}/results", null);
    if (resultsStatus != HttpStatusCode.OK || results is null)
    {
        Console.Error.WriteLine($"results answered {(int)resultsStatus}");
        return 1;
    }

    Console.WriteLine(Render.ResultsTable(results));
    return 0;
}
catch (HttpRequestException ex)
{
    Console.Error.WriteLine($"cannot reach {options.Api}: {ex.Message}");
    return 1;
}

namespace CampaignTrigger
{
    /// <summary>JSON over HTTP: send, read the status and the body (problem details included).</summary>
    internal sealed class CampaignApi(HttpClient http)
    {
        public async Task<(HttpStatusCode Status, JsonObject? Body)> SendAsync(HttpMethod method, string path, JsonObject? body)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }

            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            JsonObject? json = null;
            if (text.Length > 0 && text.TrimStart().StartsWith('{'))
            {
                json = JsonNode.Parse(text)!.AsObject();
            }

            return (response.StatusCode, json);
        }
    }

    /// <summary>What the operator sees: a progress bar and the results table.</summary>
    internal static class Render
    {
        public static string ProgressLine(JsonObject? p)
        {
            if (p is null)
            {
                return "waiting…";
            }

            long Num(string name) => p[name]?.GetValue<long>() ?? 0;
            var total = p["total"]?.GetValue<long?>();
            var reached = Num("reached");
            const int width = 30;
            var filled = total is > 0 ? (int)(width * Math.Min(1.0, reached / (double)total.Value)) : 0;
            var bar = new string('#', filled) + new string('.', width - filled);
            var of = total is null ? "counting" : total.Value.ToString(CultureInfo.InvariantCulture);
            return string.Create(CultureInfo.InvariantCulture,
                $"[{bar}] {reached}/{of}  sent {Num("sent")}  deferred {Num("deferred")}  suppressed {Num("suppressed")}  control {Num("control")}  excluded {Num("excluded")}  ");
        }

        public static string ResultsTable(JsonObject results)
        {
            var sb = new StringBuilder();
            sb.AppendLine(CultureInfo.InvariantCulture, $"results of {results["campaignId"]} ({results["status"]}), attribution {results["attributionWindowDays"]} days");
            sb.AppendLine(CultureInfo.InvariantCulture, $"{"group",-16}{"audience",10}{"sent",8}{"deferred",10}{"suppr.",8}{"conv.",8}{"rate",9}{"revenue",12}{"cost",10}{"ROI",8}  uplift vs control (95% CI)");
            var rows = (results["arms"]?.AsArray() ?? []).Select(r => r!.AsObject()).ToList();
            rows.Add(results["treated"]!.AsObject());
            rows.Add(results["control"]!.AsObject());
            rows.Add(results["globalControl"]!.AsObject());
            foreach (var r in rows)
            {
                long Num(string name) => r[name]?.GetValue<long>() ?? 0;
                var rate = r["conversionRate"]?.GetValue<double?>();
                var roi = r["roi"]?.GetValue<double?>();
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"{r["name"],-16}{Num("audience"),10}{Num("sent"),8}{Num("deferred"),10}{Num("suppressed"),8}{Num("converted"),8}{Pct(rate),9}{r["revenue"]?.GetValue<decimal>() ?? 0m,12:0.00}{r["cost"]?.GetValue<decimal>() ?? 0m,10:0.00}{(roi is null ? "-" : roi.Value.ToString("0.00", CultureInfo.InvariantCulture)),8}  {Uplift(r["uplift"]?.AsObject())}");
            }

            sb.AppendLine(CultureInfo.InvariantCulture, $"treated vs global control: {Uplift(results["treatedVsGlobalControl"]?.AsObject())}");
            return sb.ToString();
        }

        private static string Pct(double? value) => value is null ? "-" : (value.Value * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

        private static string Uplift(JsonObject? u)
        {
            if (u is null)
            {
                return "-";
            }

            double D(string name) => u[name]!.GetValue<double>() * 100;
            var mark = u["significant"]?.GetValue<bool>() == true ? " *" : "";
            return string.Create(CultureInfo.InvariantCulture, $"{D("difference"):+0.00;-0.00} pp [{D("low"):+0.00;-0.00}, {D("high"):+0.00;-0.00}]{mark}");
        }
    }
}
