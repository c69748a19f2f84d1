// The benchmark starts Linux programs (MariaDB, a shell stand-in for systemctl) and reads /proc: it runs on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
