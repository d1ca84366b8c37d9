#!/bin/sh
# Installs Riposte from this tarball on a host without dpkg (any glibc Linux with systemd, or none).
#   ./install.sh [--prefix DIR] [--destdir DIR]     install (default prefix /usr/local)
#   ./install.sh --uninstall [--purge]              remove; the state is kept unless --purge (as the .deb does)
# Existing /etc/riposte/riposte.json and /etc/default/riposte are never overwritten (the new ones are put beside
# them as .new). Run as root. Nothing is downloaded.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=/usr/local destdir= action=install purge=
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --destdir) destdir=$2; shift 2 ;;
    --uninstall) action=uninstall; shift ;;
    --purge) purge=1; shift ;;
    *) echo "install.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done
d=$destdir
unit=$d/etc/systemd/system/riposte.service
systemd() { [ -z "$d" ] && [ -d /run/systemd/system ]; }

if [ "$action" = uninstall ]; then
  if systemd; then systemctl disable --now riposte.service >/dev/null 2>&1 || true; fi
  rm -rf -- "$d$prefix/lib/riposte"
  rm -f -- "$d$prefix/bin/riposte" "$unit" "$d/etc/logrotate.d/riposte" "$d$prefix/share/man/man1/riposte.1.gz" \
    "$d$prefix/share/bash-completion/completions/riposte"
  if [ -n "$purge" ]; then
    rm -f -- "$d/etc/riposte/riposte.json" "$d/etc/riposte/riposte.json.new" "$d/etc/default/riposte" "$d/etc/default/riposte.new"
    rmdir "$d/etc/riposte" 2>/dev/null || true
    # Only Riposte's own directories under the Wazuh home; never a link.
    for dir in "$d/var/ossec/riposte" "$d/var/ossec/queue/riposte"; do
      if [ -d "$dir" ] && [ ! -L "$dir" ]; then rm -rf -- "$dir"; fi
    done
  fi
  if systemd; then systemctl daemon-reload || true; fi
  echo "riposte removed${purge:+ (state purged)}"
  exit 0
fi

if systemd && systemctl is-active --quiet riposte.service; then restart=1; systemctl stop riposte.service; else restart=; fi
mkdir -p "$d$prefix/lib" "$d$prefix/bin" "$d$prefix/share/man/man1" "$d$prefix/share/bash-completion/completions" \
  "$d/etc/riposte" "$d/etc/default" "$d/etc/logrotate.d" "$d/etc/systemd/system"
# Replace the program directory as a whole, so no file of an older version stays behind.
rm -rf -- "$d$prefix/lib/riposte.new"
cp -a "$here/lib" "$d$prefix/lib/riposte.new"
rm -rf -- "$d$prefix/lib/riposte"
mv "$d$prefix/lib/riposte.new" "$d$prefix/lib/riposte"
ln -sfn "$prefix/lib/riposte/riposte" "$d$prefix/bin/riposte"
for conf in riposte/riposte.json default/riposte; do
  if [ -e "$d/etc/$conf" ]; then
    cmp -s "$here/etc/$conf" "$d/etc/$conf" || cp "$here/etc/$conf" "$d/etc/$conf.new"
  else
    cp "$here/etc/$conf" "$d/etc/$conf"
  fi
done
cp "$here/etc/logrotate.d/riposte" "$d/etc/logrotate.d/riposte"
cp "$here/share/man/man1/riposte.1.gz" "$d$prefix/share/man/man1/riposte.1.gz"
cp "$here/share/bash-completion/completions/riposte" "$d$prefix/share/bash-completion/completions/riposte"
sed "s|^ExecStart=/usr/bin/riposte |ExecStart=$prefix/bin/riposte |" "$here/riposte.service" > "$unit"
chmod 0644 "$unit"
if systemd; then
  systemctl daemon-reload
  [ -z "$restart" ] || systemctl start riposte.service
fi
echo "riposte installed in $d$prefix/lib/riposte ($prefix/bin/riposte)."
echo "Next: riposte install-programs; choose the inputs in /etc/default/riposte; systemctl enable --now riposte"
