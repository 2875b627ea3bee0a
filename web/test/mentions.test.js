import { test } from "node:test";
import assert from "node:assert/strict";
import { mentionSource } from "../app/mentions.js";

const names = ["Ben", "Ben Okafor", "Ada Lovelace"];

test("a shown @Name becomes the server's mention, the longest name first", () => {
  assert.equal(mentionSource("Over to you @Ben Okafor, thanks", names), "Over to you @**Ben Okafor**, thanks");
  assert.equal(mentionSource("@Ben and @Ada Lovelace", names), "@**Ben** and @**Ada Lovelace**");
  assert.equal(mentionSource("@Ben Okafor", names), "@**Ben Okafor**");
});

test("only whole names of people who can be mentioned, never inside an address or an existing mention", () => {
  assert.equal(mentionSource("@Benjamin is not Ben", names), "@Benjamin is not Ben");
  assert.equal(mentionSource("write to x@Ben.example", names), "write to x@Ben.example");
  assert.equal(mentionSource("@**Ben Okafor** already", names), "@**Ben Okafor** already");
  assert.equal(mentionSource("@Cara Singh", names), "@Cara Singh");
  assert.equal(mentionSource("no mentions", []), "no mentions");
});
