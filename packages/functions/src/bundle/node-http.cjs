// node:http for the Lambda bundle (stacks/lambda-bundle.ts): the CommonJS module, whose lazy undici getters stay unread.
module.exports = process.getBuiltinModule("node:http");
