// The tests start Linux programs (MariaDB, promtool, df, shell scripts): they run on Linux, as NodeHelper's users do.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
