#!/bin/sh
# install.sh install|uninstall|list - what `make install` puts where, in one
# list that install, uninstall and the .deb all read, so uninstall removes
# exactly what install wrote.
#
# The Makefile passes the places (DESTDIR, BINDIR, DATADIR, DOCDIR, MANDIR,
# COMPLETIONDIR, UNITDIR, SYSCONFDIR) and the built files (BIN, GEN: the
# folder holding the man page, the units and the /etc config with the
# install's paths filled in). Every folder install had to create is recorded
# in DATADIR/installed-dirs (without DESTDIR); uninstall removes those again when they are
# empty, and never a folder that was there before.
#
# SYSCONFDIR/opsreport/opsreport.ini is installed only when there is none,
# and uninstalled only while it is unchanged: local settings are never lost.
set -eu

mode=${1:-}
: "${DESTDIR=}" "${BINDIR:?}" "${DATADIR:?}" "${DOCDIR:?}" "${MANDIR:?}" "${COMPLETIONDIR:?}"
: "${UNITDIR:?}" "${SYSCONFDIR:?}" "${BIN:?}" "${GEN:?}"
root=$(cd "$(dirname "$0")/.." && pwd)
record="$DATADIR/installed-dirs"
etc_config="$SYSCONFDIR/opsreport/opsreport.ini"

# mode source destination, one file a line; destinations without DESTDIR
files() {
    echo "755 $BIN $BINDIR/opsreport"
    for t in "$root"/templates/*; do
        echo "644 $t $DATADIR/templates/$(basename "$t")"
    done
    echo "644 $GEN/opsreport.1 $MANDIR/opsreport.1"
    echo "644 $root/config/opsreport.bash-completion $COMPLETIONDIR/opsreport"
    echo "644 $GEN/opsreport.service $UNITDIR/opsreport.service"
    echo "644 $GEN/opsreport.timer $UNITDIR/opsreport.timer"
    echo "644 $root/config/opsreport.ini $DOCDIR/examples/opsreport.ini"
    echo "644 $GEN/opsreport.cron $DOCDIR/examples/opsreport.cron"
    echo "644 $root/docs/install.md $DOCDIR/install.md"
    echo "644 $GEN/opsreport.ini $etc_config"
}

# Creates the folder (and its parents), appending each one it had to create to the record.
make_dir() {
    missing=''
    d=$DESTDIR$1
    while [ ! -d "$d" ]; do
        missing="${d#"$DESTDIR"}
$missing"
        d=$(dirname "$d")
    done
    [ -z "$missing" ] && return 0
    mkdir -p "$DESTDIR$1"
    created="$created$missing"
}

case $mode in
list)
    files | while read -r _ _ dest; do echo "$dest"; done
    ;;
install)
    created=''
    tmp=$(mktemp)
    files >"$tmp"
    while read -r _ _ dest; do make_dir "$(dirname "$dest")"; done <"$tmp"
    while read -r perm src dest; do
        if [ "$dest" = "$etc_config" ] && [ -e "$DESTDIR$dest" ]; then
            echo "  kept $DESTDIR$dest (exists; the example is in $DOCDIR/examples/)"
            continue
        fi
        install -m "$perm" "$src" "$DESTDIR$dest"
        echo "  $DESTDIR$dest"
    done <"$tmp"
    rm -f "$tmp"
    # the record, deepest folders last; kept across reinstalls
    printf '%s' "$created" | sed '/^$/d' >>"$DESTDIR$record"
    ;;
uninstall)
    tmp=$(mktemp)
    files >"$tmp"
    while read -r _ src dest; do
        [ -e "$DESTDIR$dest" ] || continue
        if [ "$dest" = "$etc_config" ] && ! cmp -s "$src" "$DESTDIR$dest"; then
            echo "  kept $DESTDIR$dest (changed since it was installed)"
            continue
        fi
        rm -f "$DESTDIR$dest"
        echo "  removed $DESTDIR$dest"
    done <"$tmp"
    rm -f "$tmp"
    if [ -f "$DESTDIR$record" ]; then
        dirs=$(cat "$DESTDIR$record")
        rm -f "$DESTDIR$record"
        # deepest first: a folder empties only once its children are gone
        printf '%s\n' "$dirs" | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- |
            while read -r d; do
                [ -n "$d" ] && rmdir "$DESTDIR$d" 2>/dev/null && echo "  removed $DESTDIR$d/" || true
            done
    fi
    ;;
*)
    echo "usage: $0 install|uninstall|list" >&2
    exit 2
    ;;
esac
