#!/usr/bin/env bash
# One Chèque-Vacances Connect payment for an emulator suite:
#   sandbox → account + activation code → merchant payment → push read from the
#   sandbox's feed → injected into an Android emulator (adb) or an iOS simulator
#   (xcrun simctl push) → final status read from the merchant API.
#
# Needs bash, curl, jq. The stand-in device (--stand-in) also needs openssl and python3
# (standard library only). See docs/emulator-guide.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: sandbox/scripts/emulator-flow.sh [OPTIONS]

  --url URL            use a sandbox already running (with --admin-token);
                       default: start one (cargo run -p cvconnect-sandbox, port 0, in memory)
  --admin-token T      admin token of that sandbox
  --target T           android | ios | none: where to inject the push (default none)
  --device ID          adb serial, or simulator UDID (default: the only emulator / "booted")
  --stand-in           enroll a stand-in device (openssl P-256 key) instead of the app;
                       the default with --target none
  --decline            with --stand-in: decline the payment, so a final status is reached
  --email E            account e-mail (default: a new emulateur.<time>@example.fr)
  --total X            order total (default 150.00)
  --balance X          balance of the new account (default 120.00)
  --pin P              PIN of the new account (default 4827)
  --wait-secs N        how long to wait for the app to enroll / for the final status (default 120)
  -h, --help
USAGE
}

URL="" ; ADMIN_TOKEN="" ; TARGET="none" ; DEVICE="" ; STAND_IN="" ; DECLINE=""
EMAIL="emulateur.$(date +%s).$$@example.fr" ; TOTAL="150.00" ; BALANCE="120.00" ; PIN="4827"
WAIT_SECS=120
while [ $# -gt 0 ]; do
  case "$1" in
    --url) URL="$2"; shift 2 ;;
    --admin-token) ADMIN_TOKEN="$2"; shift 2 ;;
    --target) TARGET="$2"; shift 2 ;;
    --device) DEVICE="$2"; shift 2 ;;
    --stand-in) STAND_IN=1; shift ;;
    --decline) DECLINE=1; shift ;;
    --email) EMAIL="$2"; shift 2 ;;
    --total) TOTAL="$2"; shift 2 ;;
    --balance) BALANCE="$2"; shift 2 ;;
    --pin) PIN="$2"; shift 2 ;;
    --wait-secs) WAIT_SECS="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$TARGET" in android|ios|none) ;; *) echo "--target must be android, ios or none" >&2; exit 2 ;; esac
[ "$TARGET" = none ] && STAND_IN=1
for tool in curl jq; do command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }; done
if [ -n "$STAND_IN" ]; then
  for tool in openssl python3; do command -v "$tool" >/dev/null || { echo "--stand-in needs $tool" >&2; exit 2; }; done
fi

WORK="$(mktemp -d)"
SANDBOX_PID=""
cleanup() {
  if [ -n "$SANDBOX_PID" ]; then kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
die() { echo "error: $*" >&2; exit 1; }

# api METHOD PATH [JSON] [BEARER]: prints the body; fails on HTTP >= 400 with the error body.
# BEARER defaults to the admin token; "none" sends no Authorization header.
api() {
  local method="$1" path="$2" body="${3:-}" bearer="${4:-$ADMIN_TOKEN}" code
  local args=(-sS -o "$WORK/body" -w '%{http_code}' -X "$method" "$URL$path")
  [ "$bearer" != none ] && args+=(-H "Authorization: Bearer $bearer")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
  code="$(curl "${args[@]}")" || die "$method $path: no answer from $URL"
  if [ "$code" -ge 400 ]; then die "$method $path: HTTP $code $(cat "$WORK/body")"; fi
  cat "$WORK/body"
}

# ---------------------------------------------------------------- 1. sandbox
step "1. Sandbox"
if [ -z "$URL" ]; then
  ADMIN_TOKEN="emulator-$(date +%s)-$$"
  REPO="$(cd "$(dirname "$0")/../.." && pwd)"
  ( cd "$REPO" && exec cargo run -q -p cvconnect-sandbox -- --port 0 --memory --no-seed \
      --admin-token "$ADMIN_TOKEN" ) >"$WORK/sandbox.out" 2>"$WORK/sandbox.err" &
  SANDBOX_PID=$!
  for _ in $(seq 1 600); do
    URL="$(head -n1 "$WORK/sandbox.out" 2>/dev/null || true)"
    [ -n "$URL" ] && break
    kill -0 "$SANDBOX_PID" 2>/dev/null || die "the sandbox did not start: $(tail -5 "$WORK/sandbox.err")"
    sleep 0.5
  done
  [ -n "$URL" ] || die "the sandbox did not print its URL"
  echo "started: $URL (pid $SANDBOX_PID, admin token $ADMIN_TOKEN)"
else
  [ -n "$ADMIN_TOKEN" ] || die "--url needs --admin-token"
  URL="${URL%/}"
  curl -sSf "$URL/healthz" >/dev/null || die "no sandbox at $URL"
  echo "using: $URL"
fi
echo "emulator base URLs: Android emulator http://10.0.2.2:${URL##*:} (the host's loopback), iOS simulator $URL"
echo "(the sandbox listens on 127.0.0.1: an Android emulator reaches it through 10.0.2.2, or after 'adb reverse tcp:${URL##*:} tcp:${URL##*:}' at the same URL)"

# ---------------------------------------------------------------- 2. account, merchant, activation code
step "2. Account, merchant, activation code"
NUMBER="$(printf '%011d' $(( ( $(date +%s) * 100 + $$ ) % 100000000000 )))"
api POST /admin/accounts "$(jq -nc --arg e "$EMAIL" --arg n "$NUMBER" --arg b "$BALANCE" --arg p "$PIN" \
  '{email:$e, account_number:$n, balance:$b, pin:$p}')" | jq -c '{email, account_number, balance}'
MERCHANT="$(api POST /admin/merchants '{"name":"Boutique Démo"}')"
MERCHANT_KEY="$(jq -r .api_key <<<"$MERCHANT")"
echo "merchant: $(jq -r '.merchant_id + " " + .name' <<<"$MERCHANT")"
CODE="$(api POST /admin/activation-codes "$(jq -nc --arg e "$EMAIL" '{email:$e}')" | jq -r .code)"
echo "activation code for $EMAIL: $CODE"

# ---------------------------------------------------------------- 3. a device
step "3. Device"
DEVICE_ID="" ; TOKEN=""
b64url() { python3 -c 'import base64,sys; print(base64.urlsafe_b64encode(sys.stdin.buffer.read()).rstrip(b"=").decode())'; }
# fields TAG F1 F2...: canonical bytes (protocol.md §6); an argument @FILE is a file's raw bytes.
fields() {
  python3 - "$@" <<'PY'
import struct, sys
out = b""
for a in sys.argv[1:]:
    b = open(a[1:], "rb").read() if a.startswith("@") else a.encode()
    out += struct.pack(">I", len(b)) + b
sys.stdout.buffer.write(out)
PY
}
sign() { openssl dgst -sha256 -sign "$WORK/device.pem" | b64url; }
if [ -n "$STAND_IN" ]; then
  echo "stand-in device: a P-256 key made by openssl, enrolled like the app does (POST /v1/devices)"
  openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/device.pem" 2>/dev/null
  openssl ec -in "$WORK/device.pem" -pubout -outform DER -out "$WORK/device.spki" 2>/dev/null
  LOWER_EMAIL="$(tr '[:upper:]' '[:lower:]' <<<"$EMAIL")"
  PROOF="$(fields cvconnect/enroll/v1 "$LOWER_EMAIL" "$CODE" "@$WORK/device.spki" | sign)"
  ENROLLED="$(api POST /v1/devices "$(jq -nc --arg e "$EMAIL" --arg c "$CODE" --arg k "$(b64url <"$WORK/device.spki")" \
    --arg p "$PROOF" '{email:$e, activation_code:$c, public_key:$k, push_token:"fcm:stand-in", platform:"other", proof:$p}')" none)"
  DEVICE_ID="$(jq -r .device_id <<<"$ENROLLED")"
  CHALLENGE="$(api POST /v1/auth/challenge "$(jq -nc --arg d "$DEVICE_ID" '{device_id:$d}')" none | jq -r .challenge)"
  SIGNATURE="$(fields cvconnect/auth/v1 "$DEVICE_ID" "$CHALLENGE" | sign)"
  TOKEN="$(api POST /v1/auth/token "$(jq -nc --arg d "$DEVICE_ID" --arg c "$CHALLENGE" --arg s "$SIGNATURE" \
    '{device_id:$d, challenge:$c, signature:$s}')" none | jq -r .access_token)"
  echo "enrolled: $DEVICE_ID (bearer token obtained)"
else
  echo "Enroll the app on the $TARGET device now: server URL above, e-mail $EMAIL, activation code $CODE."
  echo "The script goes on once a device of this account receives the payment's push."
fi

# ---------------------------------------------------------------- 4. payment
AFTER="$(api GET "/admin/push-feed?after=0&wait_ms=0" | jq -r .last_seq)"
create_payment() {
  api POST /v1/merchant/payment-requests "$(jq -nc --arg e "$EMAIL" --arg t "$TOTAL" \
    '{account:$e, total:$t, order_ref:"CMD-EMU-1"}')" "$MERCHANT_KEY"
}
step "4. Merchant payment request"
if [ -n "$STAND_IN" ]; then
  PAYMENT="$(create_payment)"
else
  # Wait for the app to enroll: create the payment once a device of the account exists.
  # (A request for an account without device is accepted but notifies nobody.)
  read -r -t "$WAIT_SECS" -p "Press Enter once the app is enrolled... " _ || true; echo
  PAYMENT="$(create_payment)"
fi
PAYMENT_ID="$(jq -r .id <<<"$PAYMENT")"
jq -c '{id, status, total, expires_at}' <<<"$PAYMENT"

# ---------------------------------------------------------------- 5. push
step "5. Push from /admin/push-feed"
PUSH=""
DEADLINE=$(( $(date +%s) + 15 ))
while [ -z "$PUSH" ] && [ "$(date +%s)" -lt "$DEADLINE" ]; do
  FEED="$(api GET "/admin/push-feed?after=$AFTER&wait_ms=5000")"
  PUSH="$(jq -c --arg p "$PAYMENT_ID" '[.notifications[] | select(.payment_id == $p)] | first // empty' <<<"$FEED")"
  AFTER="$(jq -r .next_after <<<"$FEED")"
done
[ -n "$PUSH" ] || die "no push for $PAYMENT_ID: no device of $EMAIL is enrolled"
echo "data map (what the app hands to the core):"; jq '.data' <<<"$PUSH"
jq '.apns' <<<"$PUSH" >"$WORK/payload.apns.json"
echo "FCM v1 message:"; jq -c '.fcm' <<<"$PUSH"
echo "APNs payload (xcrun simctl push):"; jq -c . "$WORK/payload.apns.json"

# ---------------------------------------------------------------- 6. inject
step "6. Inject into the $TARGET device"
# Runs a command, or says plainly that it was not run when the tool is missing.
run_or_show() {
  if command -v "$1" >/dev/null; then echo "+ $*"; "$@"; else echo "NOT RUN ($1 not found on this machine): $*"; fi
}
DATA_PAYMENT="$(jq -r .data.payment_id <<<"$PUSH")"
DATA_MESSAGE="$(jq -r .data.message_id <<<"$PUSH")"
DATA_TYPE="$(jq -r .data.type <<<"$PUSH")"
ADB_ARGS=(shell am broadcast -a fr.ancv.cvconnect.DEBUG_PUSH -n fr.ancv.cvconnect/.debug.DebugPushReceiver
  --es type "$DATA_TYPE" --es payment_id "$DATA_PAYMENT" --es message_id "$DATA_MESSAGE")
case "$TARGET" in
  android)
    # FCM data messages cannot be delivered to FirebaseMessagingService by adb: the sample
    # app's debug build has a receiver that forwards these extras to the same handler.
    if [ -n "$DEVICE" ]; then run_or_show adb -s "$DEVICE" "${ADB_ARGS[@]}"; else run_or_show adb "${ADB_ARGS[@]}"; fi ;;
  ios)
    run_or_show xcrun simctl push "${DEVICE:-booted}" fr.ancv.cvconnect "$WORK/payload.apns.json" ;;
  none)
    echo "no emulator targeted; the commands would be:"
    echo "  adb ${ADB_ARGS[*]}"
    echo "  xcrun simctl push ${DEVICE:-booted} fr.ancv.cvconnect payload.apns.json   # payload shown above" ;;
esac

# ---------------------------------------------------------------- 7. final status
if [ -n "$STAND_IN" ] && [ -n "$DECLINE" ]; then
  step "7. Stand-in device declines"
  api POST "/v1/payments/$PAYMENT_ID/decline" "" "$TOKEN" | jq -c .
fi
step "8. Final status (merchant API)"
DEADLINE=$(( $(date +%s) + WAIT_SECS ))
while :; do
  FINAL="$(api GET "/v1/merchant/payment-requests/$PAYMENT_ID" "" "$MERCHANT_KEY")"
  STATUS="$(jq -r .status <<<"$FINAL")"
  [ "$STATUS" != PENDING ] && break
  if [ "$(date +%s)" -ge "$DEADLINE" ]; then break; fi
  sleep 1
done
jq -c '{id, status, paid_amount, remaining_amount}' <<<"$FINAL"
case "$STATUS" in
  AUTHORISED) echo "merchant: Votre achat est validé !" ;;
  PARTIALLY_AUTHORISED) echo "merchant: Reste à payer : $(jq -r .remaining_amount <<<"$FINAL") € par carte bancaire" ;;
  PENDING) echo "still PENDING after ${WAIT_SECS}s (nobody confirmed on the device)"; exit 3 ;;
  *) echo "merchant: $STATUS" ;;
esac
