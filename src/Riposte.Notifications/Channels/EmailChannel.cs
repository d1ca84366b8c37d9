using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Riposte.Config.Settings;

namespace Riposte.Notifications.Channels;

/// <summary>Email over SMTP with MailKit: STARTTLS when asked, authentication with a password read from a file.</summary>
public sealed class EmailChannel(NotificationTarget target, TimeSpan timeout) : INotificationChannel
{
    private readonly EmailSettings _email = target?.Email ?? throw new ArgumentException("an email target needs its email settings", nameof(target));

    /// <summary>Replaces MailKit's certificate check (the system's trust store); for tests against a self-signed server.</summary>
    internal System.Net.Security.RemoteCertificateValidationCallback? CertificateValidation { get; init; }

    /// <inheritdoc />
    public async ValueTask SendAsync(NotificationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var mail = Build(message);
        using var client = new SmtpClient { Timeout = (int)timeout.TotalMilliseconds };
        if (CertificateValidation is { } validation)
        {
            client.ServerCertificateValidationCallback = validation;
        }
        else if (_email.CaFile is { } caFile)
        {
            // Read at each send, as the password: a renewed CA needs no reload.
            var authorities = PrivateCa.Load(caFile);
            client.ServerCertificateValidationCallback = (_, certificate, _, errors) => PrivateCa.Trusts(authorities, certificate, errors);
        }

        await client.ConnectAsync(_email.Host, _email.Port, _email.StartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, cancellationToken)
            .ConfigureAwait(false);
        if (_email.User is { } user)
        {
            // Read at each send, so a rotated password needs no reload.
            // Checked like the API token (no symlink followed, 0600, this user's): the daemon may run as root.
            string password = "";
            if (_email.PasswordFile is { } file)
            {
                password = State.SecretFile.Read(file, "the SMTP password file", out var refusal) ?? throw new IOException(refusal);
            }

            await client.AuthenticateAsync(user, password, cancellationToken).ConfigureAwait(false);
        }

        await client.SendAsync(mail, cancellationToken).ConfigureAwait(false);
        await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The mail for <paramref name="message"/>: the summary as subject, one line per event in the body.</summary>
    public MimeMessage Build(NotificationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(_email.From));
        foreach (var to in _email.To)
        {
            mail.To.Add(MailboxAddress.Parse(to));
        }

        mail.Subject = "[Riposte] " + message.Summary;
        var body = new StringBuilder();
        body.Append(message.Summary).Append("\n\n");
        foreach (var e in message.Events)
        {
            body.Append(e.At.ToString("u", System.Globalization.CultureInfo.InvariantCulture)).Append("  #").Append(e.Id).Append("  ")
                .Append(Grouping.DigestText.One(e)).Append('\n');
        }

        if (message.Count > message.Events.Count)
        {
            body.Append("... and ").Append(message.Count - message.Events.Count).Append(" more (see riposte history)\n");
        }

        mail.Body = new TextPart("plain") { Text = body.ToString() };
        return mail;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
