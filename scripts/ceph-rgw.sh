#!/usr/bin/env bash
# A real on-prem object store for tests: a one-host Ceph (one mon, one memstore OSD, no mgr) with the
# RADOS gateway (S3) on free loopback ports, from Debian's packages (installed here when missing).
#
#   scripts/ceph-rgw.sh start DIR   # prints KEY=VALUE lines: RGW_ENDPOINT, ACCESS_KEY, SECRET_KEY, CEPH_CONF
#   scripts/ceph-rgw.sh stop DIR    # stops the daemons started in DIR and removes it
#
# Facts from ../shared/docs/ceph-rgw.md: msgr2 only, pool size 1, cephx keys made with ceph-authtool,
# each daemon run in the foreground (-f) in the background, stopped by PID. Starts in ~30 s.
set -euo pipefail
cmd=${1:-}
DIR=${2:-}
[ -n "$cmd" ] && [ -n "$DIR" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [ "$cmd" = "stop" ]; then
  for f in "$DIR"/run/*.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  sleep 1
  for f in "$DIR"/run/*.pid; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true
  done
  rm -rf "$DIR"
  exit 0
fi
[ "$cmd" = "start" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

if ! command -v radosgw >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "Installing Ceph (mon, osd, radosgw) ..." >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends ceph-mon ceph-osd radosgw ceph-common >/dev/null
fi

mkdir -p "$DIR"/{mon,osd,run,log}
DIR=$(cd "$DIR" && pwd)
MON_PORT=$(free_port)
RGW_PORT=$(free_port)
FSID=$(python3 -c 'import uuid; print(uuid.uuid4())')
CONF="$DIR/ceph.conf"
cat > "$CONF" <<EOF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_PORT]
mon initial members = a
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $DIR/keyring
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
ms bind msgr1 = false
ms bind msgr2 = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon data = $DIR/mon/\$name
mon warn on pool no redundancy = false

[osd]
keyring = $DIR/osd/keyring
osd data = $DIR/osd
osd objectstore = memstore
memstore device bytes = 2147483648
osd max object name len = 256
osd max object namespace len = 64

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw dns name = 127.0.0.1
rgw sts key = tablegatestskey1
rgw s3 auth use sts = true
EOF

ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
ceph-authtool "$DIR/keyring" --gen-key -n client.rgw --cap mon 'allow rw' --cap osd 'allow rwx' >/dev/null
monmaptool --create --addv a "[v2:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$DIR/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring" >/dev/null
ceph-mon -c "$CONF" -i a -f >"$DIR/log/mon.out" 2>&1 &
echo $! > "$DIR/run/mon.pid"

for i in $(seq 1 60); do
  ceph -c "$CONF" --connect-timeout 5 mon stat >/dev/null 2>&1 && break
  sleep 1
done

OSD_UUID=$(python3 -c 'import uuid; print(uuid.uuid4())')
OSD_SECRET=$(ceph-authtool --gen-print-key)
OSD_ID=$(echo "{\"cephx_secret\": \"$OSD_SECRET\"}" | ceph -c "$CONF" osd new "$OSD_UUID" -i -)
ceph-authtool --create-keyring "$DIR/osd/keyring" --name "osd.$OSD_ID" --add-key "$OSD_SECRET" >/dev/null
ceph-osd -c "$CONF" -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >"$DIR/log/osd-mkfs.out" 2>&1
ceph-osd -c "$CONF" -i "$OSD_ID" -f >"$DIR/log/osd.out" 2>&1 &
echo $! > "$DIR/run/osd.pid"

radosgw -c "$CONF" -n client.rgw -f >"$DIR/log/rgw.out" 2>&1 &
echo $! > "$DIR/run/rgw.pid"
for i in $(seq 1 120); do
  curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/" && break
  sleep 1
done
curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/" || { echo "radosgw did not start; see $DIR/log" >&2; exit 1; }

USER_JSON=$(radosgw-admin -c "$CONF" -n client.admin user create --uid tablegate --display-name tablegate 2>/dev/null)
ACCESS_KEY=$(echo "$USER_JSON" | python3 -c 'import json,sys; print(json.load(sys.stdin)["keys"][0]["access_key"])')
SECRET_KEY=$(echo "$USER_JSON" | python3 -c 'import json,sys; print(json.load(sys.stdin)["keys"][0]["secret_key"])')
# a read-only role the gateway's user may assume (STS AssumeRole), for temporary table credentials; the gateway
# narrows each session to one table's prefix with a session policy
radosgw-admin -c "$CONF" -n client.admin role create --role-name=tablegate-reader --path=/ \
  --assume-role-policy-doc='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/tablegate"]},"Action":["sts:AssumeRole"]}]}' >"$DIR/log/role.out" 2>&1 || echo "role create failed: see $DIR/log/role.out" >&2
radosgw-admin -c "$CONF" -n client.admin role-policy put --role-name=tablegate-reader --policy-name=read \
  --policy-doc='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::*"]}]}' >>"$DIR/log/role.out" 2>&1 || echo "role-policy put failed: see $DIR/log/role.out" >&2
echo "ROLE_ARN=arn:aws:iam:::role/tablegate-reader"
echo "RGW_ENDPOINT=http://127.0.0.1:$RGW_PORT"
echo "ACCESS_KEY=$ACCESS_KEY"
echo "SECRET_KEY=$SECRET_KEY"
echo "CEPH_CONF=$CONF"
