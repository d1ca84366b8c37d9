using System.Xml.Linq;
using Riposte.Matching;

namespace Riposte.Config;

/// <summary>
/// Reads the active-response part of Wazuh <c>ossec.conf</c> files with analysisd's semantics (and execd's for the
/// settings execd reads). Unlike analysisd, it does not stop at the first error: every finding is reported.
/// </summary>
public sealed class OssecConfigReader
{
    private readonly List<ConfigDiagnostic> _diagnostics = [];
    private readonly List<CommandDefinition> _commands = [];
    private readonly List<ActiveResponseDefinition> _blocks = [];
    private readonly WhiteListBuilder _whiteList = new();
    private readonly ExecdOptionsBuilder _execd = new();
    private string? _nodeName;
    private ArQueues _queues;
    private int _blockIndex;

    private readonly ConfigRole _role;

    private OssecConfigReader(ConfigRole role)
    {
        _role = role;
    }

    /// <summary>Reads files in order, as if they were one document (a command must be defined before it is used).</summary>
    public static ConfigLoadResult ReadFiles(IEnumerable<string> paths, ConfigRole role = ConfigRole.Manager)
    {
        var reader = new OssecConfigReader(role);
        foreach (var path in paths)
        {
            byte[]? bytes;
            string? refusal;
            try
            {
                bytes = BoundedFile.Read(path, out refusal);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                reader._diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, new SourcePosition(path, 0, 0), 1239,
                    $"Configuration file not found: '{path}'. ({ex.Message})"));
                continue;
            }

            if (bytes is null)
            {
                reader._diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, new SourcePosition(path, 0, 0),
                    WazuhMessages.XmlReadError, WazuhMessages.XmlRead(path, refusal!) + "."));
                continue;
            }

            reader.ReadDocument(Decode(bytes), path);
        }

        return reader.Finish();
    }

    /// <summary>As <c>File.ReadAllText</c>: UTF-8 unless a byte order mark says otherwise, invalid bytes replaced.</summary>
    private static string Decode(byte[] bytes)
    {
        using var text = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return text.ReadToEnd();
    }

    /// <summary>Reads configuration text; <paramref name="file"/> names it in diagnostics.</summary>
    public static ConfigLoadResult ReadText(string text, string file = "ossec.conf", ConfigRole role = ConfigRole.Manager)
    {
        var reader = new OssecConfigReader(role);
        reader.ReadDocument(text, file);
        return reader.Finish();
    }

    private void ReadDocument(string text, string file)
    {
        var wrapper = XmlConfigDocument.Load(text, file, _diagnostics);
        if (wrapper is null)
        {
            return;
        }

        foreach (var root in wrapper.Elements())
        {
            if (root.Name.LocalName != "ossec_config")
            {
                Add(DiagnosticSeverity.Warning, root, file, null, $"Root element '{root.Name.LocalName}' is not 'ossec_config'; ignored.");
                continue;
            }

            foreach (var section in root.Elements())
            {
                switch (section.Name.LocalName)
                {
                    case "command":
                        ReadCommand(section, file);
                        break;
                    case "active-response":
                        ReadActiveResponse(section, file);
                        break;
                    case "global":
                        foreach (var entry in section.Elements("white_list"))
                        {
                            ReadWhiteListEntry(entry, file);
                        }

                        break;
                    case "cluster":
                        foreach (var node in section.Elements("node_name"))
                        {
                            _nodeName = node.Value;
                        }

                        break;
                    default:
                        // Other sections belong to other Wazuh modules; they are not ours to judge.
                        break;
                }
            }
        }
    }

    private void ReadCommand(XElement block, string file)
    {
        string? name = null, executable = null, extraArgs = null;
        var timeoutAllowed = false;
        foreach (var child in block.Elements())
        {
            if (!TryContent(child, file, out var value))
            {
                return;
            }

            switch (child.Name.LocalName)
            {
                case "name":
                    if (value.StartsWith('!'))
                    {
                        Error(child, file, WazuhMessages.InvalidValue, WazuhMessages.Value("name", value));
                        return;
                    }

                    name = value;
                    break;
                case "expect":
                    Add(DiagnosticSeverity.Info, child, file, null, "The <expect> tag is deprecated since version 4.2.0.");
                    break;
                case "executable":
                    executable = value;
                    break;
                case "timeout_allowed":
                    if (!TryYesNo(child, file, value, out timeoutAllowed))
                    {
                        return;
                    }

                    break;
                case "extra_args":
                    extraArgs = value;
                    break;
                default:
                    Error(child, file, WazuhMessages.InvalidElement, WazuhMessages.Element(child.Name.LocalName));
                    return;
            }
        }

        if (name is null || executable is null)
        {
            Error(block, file, WazuhMessages.MissingCommandOptions, WazuhMessages.CommandOptions);
            return;
        }

        if (executable.Contains("..", StringComparison.Ordinal))
        {
            Add(DiagnosticSeverity.Warning, block, file, null,
                $"Executable '{executable}' contains '..': execd refuses it as a directory traversal attempt.");
        }
        else if (executable.StartsWith('/'))
        {
            Add(DiagnosticSeverity.Warning, block, file, null,
                $"Executable '{executable}' is absolute: execd runs 'active-response/bin/{executable}' under the home, not '{executable}'; put the program in active-response/bin.");
        }

        _commands.Add(new CommandDefinition(name, executable, timeoutAllowed, extraArgs, XmlConfigDocument.PositionOf(block, file)));
    }

    private void ReadActiveResponse(XElement block, string file)
    {
        var raw = new RawResponseBlock();
        foreach (var child in block.Elements())
        {
            if (!TryContent(child, file, out var value))
            {
                return;
            }

            if (!raw.Accept(child, value, file, this, _role))
            {
                return;
            }
        }

        _execd.Observe(raw, block, file, this);
        var position = XmlConfigDocument.PositionOf(block, file);
        var index = _blockIndex++;

        if (raw.Disabled)
        {
            // Wazuh quirk Q1: a disabled block also clears the queue flags gathered so far.
            _queues = ArQueues.None;
            _blocks.Add(new ActiveResponseDefinition
            {
                BlockIndex = index,
                Position = position,
                Status = ResponseStatus.Disabled,
                CommandName = raw.Command,
                Command = FindCommand(raw.Command),
                Name = (raw.Command ?? "") + raw.Timeout.ToString(System.Globalization.CultureInfo.InvariantCulture),
                LocationText = raw.Location,
                Level = raw.Level,
                RulesGroup = raw.RulesGroup,
                RulesIdText = raw.RulesId,
                Timeout = raw.Timeout,
            });
            return;
        }

        if (string.IsNullOrEmpty(raw.Command) || string.IsNullOrEmpty(raw.Location))
        {
            if (!raw.HasRepeatedOffenders && _role == ConfigRole.Manager)
            {
                Error(block, file, WazuhMessages.MissingArOptions, WazuhMessages.ArOptions);
            }

            // A block with only execd settings is silently ignored by analysisd.
            return;
        }

        var location = LocationKeywords.Parse(raw.Location);
        var agentId = 0;
        var dropped = false;
        if (location.HasFlag(ArLocation.DefinedAgent))
        {
            if (raw.AgentId is null)
            {
                Error(block, file, WazuhMessages.NoAgentDefined, WazuhMessages.NoAgent);
                return;
            }

            agentId = CNumbers.Atoi(raw.AgentId);
            if (CNumbers.AtoiOverflows(raw.AgentId))
            {
                Add(DiagnosticSeverity.Warning, block, file, null, RawResponseBlock.Overflow("agent_id", raw.AgentId, agentId));
            }

            if (agentId == 0)
            {
                Add(DiagnosticSeverity.Warning, block, file, WazuhMessages.InvalidAgentId, WazuhMessages.AgentId);
                dropped = true;
            }
            else if (raw.AgentId.Trim().Contains(',', StringComparison.Ordinal) || raw.AgentId.Trim().Contains(' ', StringComparison.Ordinal))
            {
                Add(DiagnosticSeverity.Warning, block, file, null,
                    $"agent_id '{raw.AgentId}' names more than one agent; Wazuh uses only the first ({agentId:D3}).");
            }
        }

        if (!dropped && location == ArLocation.None)
        {
            Error(block, file, WazuhMessages.InvalidLocation, WazuhMessages.Location(raw.Location));
            return;
        }

        var command = FindCommand(raw.Command);
        if (!dropped && command is null)
        {
            Error(block, file, WazuhMessages.InvalidCommand, WazuhMessages.Command(raw.Command));
            return;
        }

        var timeout = raw.Timeout;
        if (!dropped && timeout != 0 && !command!.TimeoutAllowed)
        {
            Add(DiagnosticSeverity.Info, block, file, WazuhMessages.TimeoutNotAllowed, WazuhMessages.NoTimeout(command.Name));
            timeout = 0;
        }
        else if (timeout < 0)
        {
            Add(DiagnosticSeverity.Warning, block, file, null,
                $"Negative timeout {timeout}: Wazuh accepts it and deletes the response on the next second.");
        }

        var rulesIds = Array.Empty<int>();
        if (raw.RulesId is not null)
        {
            rulesIds = RulesIdList.Parse(raw.RulesId, out var stoppedAt, out var overflowed);
            if (stoppedAt >= 0)
            {
                Add(DiagnosticSeverity.Warning, raw.RulesIdElement!, file, null,
                    $"rules_id '{raw.RulesId}': analysisd ignores the text from position {stoppedAt + 1} on (only {string.Join(",", rulesIds)} are used).");
            }

            foreach (var (written, read) in overflowed)
            {
                Add(DiagnosticSeverity.Warning, raw.RulesIdElement!, file, null,
                    $"rules_id '{raw.RulesId}': {written} overflows a C int; Wazuh reads it as {read}.");
            }
        }

        var groupRegex = raw.RulesGroup is null ? null : Matching.OsRegex.OsRegexPattern.CompileOrNull(raw.RulesGroup);
        if (raw.RulesGroup is not null && groupRegex is null)
        {
            Add(DiagnosticSeverity.Warning, raw.RulesGroupElement!, file, null,
                $"rules_group '{raw.RulesGroup}' is not a valid OS_Regex pattern: it never matches.");
        }

        var definition = new ActiveResponseDefinition
        {
            BlockIndex = index,
            Position = position,
            Status = dropped ? ResponseStatus.Dropped : ResponseStatus.Active,
            CommandName = raw.Command,
            Command = command,
            Name = (command?.Name ?? raw.Command) + timeout.ToString(System.Globalization.CultureInfo.InvariantCulture),
            LocationText = raw.Location,
            Location = location,
            AgentIdText = raw.AgentId,
            AgentId = agentId,
            Level = raw.Level,
            RulesGroup = raw.RulesGroup,
            RulesGroupRegex = groupRegex,
            RulesIdText = raw.RulesId,
            RulesIds = rulesIds,
            Timeout = timeout,
        };
        _blocks.Add(definition);
        if (dropped)
        {
            return;
        }

        if (definition.HasNoCriteria)
        {
            Add(DiagnosticSeverity.Warning, block, file, null,
                $"Active response '{definition.Name}' has no level, rules_group or rules_id: it never fires.");
        }

        _queues |= QueuesFor(location);
    }

    private void ReadWhiteListEntry(XElement entry, string file)
    {
        if (!TryContent(entry, file, out var value))
        {
            return;
        }

        var error = _whiteList.Add(value);
        if (error is not null)
        {
            Error(entry, file, error.Value.Code, error.Value.Message);
        }
    }

    private ConfigLoadResult Finish()
    {
        const int MaxAr = 64;
        const int FixedArConfLines = 6;
        var active = _blocks.Where(b => b.Status == ResponseStatus.Active).ToList();
        if (active.Count + FixedArConfLines > MaxAr)
        {
            var last = active[^1];
            _diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Warning, last.Position, WazuhMessages.TooManyCommands,
                WazuhMessages.Exceeded(active.Count + FixedArConfLines, MaxAr, "etc/shared/ar.conf")));
        }

        foreach (var block in active)
        {
            var needed = QueuesFor(block.Location);
            if ((needed & _queues) == ArQueues.None)
            {
                _diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Warning, block.Position, null,
                    $"Active response '{block.Name}' never runs: a later disabled block reset the active-response queues (Wazuh quirk Q1). Put an enabled block after the disabled one."));
            }
        }

        var sorted = _diagnostics
            .Select((d, i) => (d, i))
            .OrderBy(x => x.d.Position.File == "" ? 0 : 1)
            .ThenBy(x => x.i)
            .Select(x => x.d)
            .ToList();
        var hasErrors = sorted.Any(d => d.Severity == DiagnosticSeverity.Error);
        var config = hasErrors
            ? null
            : new WazuhConfig(_commands, _blocks, _whiteList.Build(), _nodeName, _queues, _execd.Build());
        return new ConfigLoadResult(config, sorted);
    }

    /// <summary>Which queues a location needs (and enables).</summary>
    internal static ArQueues QueuesFor(ArLocation location)
    {
        var queues = ArQueues.None;
        if (location.HasFlag(ArLocation.Server))
        {
            queues |= ArQueues.Local;
        }

        if (location.HasFlag(ArLocation.Local))
        {
            queues |= ArQueues.Local | ArQueues.Remote;
        }

        if (location.HasFlag(ArLocation.All) || location.HasFlag(ArLocation.DefinedAgent))
        {
            queues |= ArQueues.Remote;
        }

        return queues;
    }

    private CommandDefinition? FindCommand(string? name) =>
        name is null ? null : _commands.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    private bool TryContent(XElement element, string file, out string value)
    {
        value = element.Value;
        if (element.HasElements || value.Length == 0)
        {
            Error(element, file, WazuhMessages.NullContent, WazuhMessages.Null(element.Name.LocalName));
            return false;
        }

        return true;
    }

    internal bool TryYesNo(XElement element, string file, string value, out bool result)
    {
        result = value == "yes";
        if (value is "yes" or "no")
        {
            return true;
        }

        Error(element, file, WazuhMessages.InvalidValue, WazuhMessages.Value(element.Name.LocalName, value));
        return false;
    }

    internal void Error(XObject node, string file, int? code, string message) =>
        Add(DiagnosticSeverity.Error, node, file, code, message);

    internal void Add(DiagnosticSeverity severity, XObject node, string file, int? code, string message) =>
        _diagnostics.Add(new ConfigDiagnostic(severity, XmlConfigDocument.PositionOf(node, file), code, message));
}
