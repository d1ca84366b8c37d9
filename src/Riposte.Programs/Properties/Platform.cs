// The built-in programs drive Linux tools (iptables, nft, ipset, iproute2, passwd, systemctl): Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
