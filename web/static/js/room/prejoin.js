// The pre-join screen's media: camera preview, device lists and microphone meter, driven by a
// LocalMedia. Element ids are those of the call pages' pre-join section (room.html and
// office_hours_room.html).

const $ = (id) => document.getElementById(id);

/** Start the camera and microphone, show the preview and meter, and list the devices. */
export async function startPreview(media) {
  await media.start();
  $("preview").srcObject = media.stream;
  $("preview-off").hidden = Boolean(media.cameraTrack);
  if (media.problem) {
    $("media-message").hidden = false;
    $("media-message").textContent = media.problem;
  }
  media.startMeter($("mic-level"));
  await fillDeviceLists(media);
}

export async function fillDeviceLists(media) {
  const { cameras, mics } = await media.devices();
  const fill = (select, devices, noun) => {
    select.replaceChildren();
    if (!devices.length) select.append(new Option(`No ${noun} found`, ""));
    devices.forEach((d, i) => select.append(new Option(d.label || `${noun} ${i + 1}`, d.deviceId)));
    select.disabled = !devices.length;
  };
  fill($("camera-select"), cameras, "camera");
  fill($("mic-select"), mics, "microphone");
  const cameraId = media.cameraTrack?.getSettings().deviceId;
  const micId = media.micTrack?.getSettings().deviceId;
  if (cameraId) $("camera-select").value = cameraId;
  if (micId) $("mic-select").value = micId;
}

/** Switching devices from the pre-join lists; `onTrack(kind, track)` sends the new one. */
export function wireDevicePickers(media, onTrack) {
  $("camera-select").addEventListener("change", async (e) => {
    const track = await media.useCamera(e.target.value);
    $("preview").srcObject = media.stream;
    if (track) await onTrack("video", track);
  });
  $("mic-select").addEventListener("change", async (e) => {
    const track = await media.useMic(e.target.value);
    await onTrack("audio", track);
  });
}
