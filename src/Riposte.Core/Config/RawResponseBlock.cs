using System.Xml.Linq;

namespace Riposte.Config;

/// <summary>The children of one <c>&lt;active-response&gt;</c> block before analysisd's checks (last value wins).</summary>
internal sealed class RawResponseBlock
{
    public string? Command { get; private set; }
    public string? Location { get; private set; }
    public string? AgentId { get; private set; }
    public string? RulesId { get; private set; }
    public XElement? RulesIdElement { get; private set; }
    public string? RulesGroup { get; private set; }
    public XElement? RulesGroupElement { get; private set; }
    public int Level { get; private set; }
    public int Timeout { get; private set; }
    public bool Disabled { get; private set; }
    public XElement? DisabledElement { get; private set; }
    public string? DisabledValue { get; private set; }
    public string? RepeatedOffenders { get; private set; }
    public XElement? RepeatedOffendersElement { get; private set; }
    public bool HasRepeatedOffenders => RepeatedOffenders is not null;

    /// <summary>Takes one child; false when analysisd would reject the block (the error is already reported).</summary>
    public bool Accept(XElement child, string value, string file, OssecConfigReader reader, ConfigRole role)
    {
        switch (child.Name.LocalName)
        {
            case "command":
                Command = value;
                break;
            case "location":
                Location = value;
                break;
            case "agent_id":
                AgentId = value;
                break;
            case "rules_id":
                RulesId = value;
                RulesIdElement = child;
                break;
            case "rules_group":
                RulesGroup = value;
                RulesGroupElement = child;
                break;
            case "level":
                // analysisd: OS_StrIsNum, then atoi, then 0..20. Digits past the range of an int wrap in atoi, so
                // 4294967295 becomes -1 and is refused like any negative level; 4294967297 becomes 1 and is accepted.
                var level = CNumbers.Atoi(value);
                if (!CNumbers.IsNum(value) || level is < 0 or > 20)
                {
                    reader.Error(child, file, WazuhMessages.InvalidValue, WazuhMessages.Value("level", value));
                    return false;
                }

                if (CNumbers.AtoiOverflows(value))
                {
                    reader.Add(DiagnosticSeverity.Warning, child, file, null, Overflow("level", value, level));
                }

                Level = level;
                break;
            case "timeout":
                Timeout = CNumbers.Atoi(value);
                if (CNumbers.AtoiOverflows(value))
                {
                    reader.Add(DiagnosticSeverity.Warning, child, file, null, Overflow("timeout", value, Timeout));
                }
                else if (!int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _))
                {
                    reader.Add(DiagnosticSeverity.Warning, child, file, null,
                        $"timeout '{value}' is not a plain integer; Wazuh reads it as {Timeout}.");
                }

                break;
            case "disabled":
                if (!reader.TryYesNo(child, file, value, out var disabled))
                {
                    return false;
                }

                DisabledElement ??= child;
                DisabledValue ??= value;
                Disabled |= disabled;
                break;
            case "repeated_offenders":
                RepeatedOffenders ??= value;
                RepeatedOffendersElement ??= child;
                break;
            case "ca_store":
                // The agent-upgrade module reads it; analysisd accepts and ignores it.
                break;
            case "ca_verification" when role == ConfigRole.Agent:
                // Only analysisd rejects it (quirk Q25); on an agent it belongs to the upgrade module.
                break;
            default:
                reader.Error(child, file, WazuhMessages.InvalidElement, WazuhMessages.Element(child.Name.LocalName));
                return false;
        }

        return true;
    }

    /// <summary>The warning for a number Wazuh's atoi wraps: the configuration means something else than it says.</summary>
    internal static string Overflow(string element, string value, int read, string reader = "Wazuh") =>
        $"{element} '{value}' overflows a C int; {reader} reads it as {read}.";
}
