namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// The values bitcoind uses for a peer's network, connection type and transport and a chain tip's status: the
/// collector's label values (each present, 0 when no item has it), and the strings the parser hands out without
/// allocating one per peer or tip (<see cref="KnownStrings"/>).
/// </summary>
internal static class BitcoindVocabulary
{
    public static readonly string[] Networks = ["ipv4", "ipv6", "onion", "i2p", "cjdns", "not_publicly_routable"];

    public static readonly string[] ConnectionTypes =
        ["inbound", "outbound-full-relay", "block-relay-only", "manual", "feeler", "addr-fetch", "private-broadcast"];

    public static readonly string[] Transports = ["v1", "v2"];

    public static readonly string[] TipStatuses = ["active", "valid-fork", "valid-headers", "headers-only", "invalid"];
}
