namespace NodeHelper.Exporter.Scraping;

/// <summary>An upstream's up gauge (bitcoind_up, electrum_up, ...): its name and HELP, written by the collector at 1 and by the scrape machinery at 0.</summary>
internal sealed record UpGauge(string Name, string Help);
