// The settings panel: the devices signed in to the account, with a way to sign the others out.

import { platformName, seenLabel } from "../format";
import type { DeviceRow } from "../store";
import { ConfirmButton, Modal, useBusy, useChat } from "./common";
import { MonitorIcon, PhoneIcon } from "./icons";

export function SettingsModal() {
  const chat = useChat();
  const { devices, devicesError } = chat.state;
  const close = () => chat.openSettings(false);
  return (
    <Modal title="Settings" onClose={close}>
      <div class="modal-body" data-testid="settings">
        <section class="settings-section">
          <h3>Devices</h3>
          <p class="settings-note">
            Where your account is signed in. Signing a device out ends its session at once; it has to sign in again with your password.
          </p>
          {devicesError ? (
            <p class="hint error" data-testid="devices-error">
              {devicesError}
            </p>
          ) : !devices ? (
            <div class="settings-loading">
              <span class="spinner small" /> Loading devices…
            </div>
          ) : (
            <ul class="devices" data-testid="devices">
              {devices.map((d) => (
                <DeviceItem key={d.sn} d={d} />
              ))}
            </ul>
          )}
        </section>
      </div>
    </Modal>
  );
}

function DeviceItem({ d }: { d: DeviceRow }) {
  const chat = useChat();
  const [busy, run] = useBusy();
  const mobile = d.platform === 1 || d.platform === 2;
  return (
    <li class={`device${d.mine ? " mine" : ""}`} data-testid="device" data-sn={d.sn} data-mine={d.mine} data-online={d.online}>
      <span class={`device-icon${d.online ? " on" : ""}`}>{mobile ? <PhoneIcon size={20} /> : <MonitorIcon size={20} />}</span>
      <div class="grow device-text">
        <div class="device-name">
          {platformName(d.platform)}
          {d.userAgent && d.userAgent !== "Web" && <span class="muted"> · {d.userAgent}</span>}
          {d.mine && <span class="pill accent">This device</span>}
        </div>
        <div class={`device-seen${d.online ? " on" : ""}`} data-testid="device-seen">
          {d.mine ? "Online now" : seenLabel(d.online, d.lastSeen)}
          <span class="faint"> · #{d.sn}</span>
        </div>
      </div>
      {!d.mine && (
        <ConfirmButton class={`btn sm danger-ghost${busy ? " busy" : ""}`} onConfirm={() => run(() => chat.removeDevice(d.sn))} testid="device-remove">
          Remove
        </ConfirmButton>
      )}
    </li>
  );
}
