// The planning page's recorder: "Opnemen" records the word with the microphone, "Stop"
// ends it; the recording plays in the preview and goes into the form's file field, so
// "Woord opslaan" sends it like a chosen file. Without a microphone (or MediaRecorder) the
// recorder stays hidden and a file can still be chosen.
"use strict";

(function () {
  const LIMIT_MS = 15000; // the server refuses longer recordings

  function setUp(box) {
    const row = box.querySelector(".recorder");
    const record = box.querySelector("[data-record]");
    const stop = box.querySelector("[data-stop]");
    const preview = box.querySelector("[data-preview]");
    const field = box.querySelector("input[name=voice_file]");
    if (!window.MediaRecorder || !navigator.mediaDevices || !window.DataTransfer) return;
    row.hidden = false;
    let recorder = null;
    let timer = null;

    record.addEventListener("click", async () => {
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (error) {
        record.textContent = "● Geen microfoon";
        record.disabled = true;
        return;
      }
      const parts = [];
      recorder = new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", (event) => parts.push(event.data));
      recorder.addEventListener("stop", () => {
        stream.getTracks().forEach((track) => track.stop());
        const type = recorder.mimeType || "audio/webm";
        const blob = new Blob(parts, { type });
        const file = new File([blob], "opname." + (type.includes("ogg") ? "ogg" : "webm"), { type });
        const files = new DataTransfer();
        files.items.add(file);
        field.files = files.files;
        preview.src = URL.createObjectURL(blob);
        preview.hidden = false;
        record.disabled = false;
        stop.disabled = true;
      });
      recorder.start();
      record.disabled = true;
      stop.disabled = false;
      timer = setTimeout(() => recorder.state === "recording" && recorder.stop(), LIMIT_MS);
    });

    stop.addEventListener("click", () => {
      clearTimeout(timer);
      if (recorder && recorder.state === "recording") recorder.stop();
    });
  }

  document.querySelectorAll("[data-recorder]").forEach(setUp);
})();
