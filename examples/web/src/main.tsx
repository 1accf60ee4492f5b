// Entry point: one Floo client for the page, the store on top of it, and the UI.

import { render } from "preact";
import { createSdk } from "./sdk";
import { Chat } from "./store";
import { App } from "./ui/App";
import "./styles.css";

const chat = new Chat(createSdk());
render(<App chat={chat} />, document.getElementById("app")!);
void chat.start();

// Handy in the browser console, and for the end-to-end test.
(globalThis as { floo?: Chat }).floo = chat;
